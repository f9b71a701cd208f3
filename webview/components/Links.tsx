import type { ComponentChildren } from 'preact';
import { useContext } from 'preact/hooks';
import { safeUrl } from '../markdown/urls';
import { ActionsContext } from './context';

/**
 * A link from model text. Only http(s)/mailto become clickable, and a click goes
 * to the host (VS Code's opener shows the full URL; the browser host confirms it).
 * Anything else is shown as inert text with its target visible.
 */
export function SafeLink({ href, children }: { href: string; children: ComponentChildren }) {
  const actions = useContext(ActionsContext);
  const url = safeUrl(href);
  if (!url) {
    return (
      <span class="md-inert-link" title="Not a web link: not opened">
        {children} <code class="md-url">({href})</code>
      </span>
    );
  }
  const open = (e: Event) => {
    e.preventDefault();
    actions.post({ type: 'openLink', url });
  };
  return (
    <a href={url} title={url} class="md-link" rel="noopener noreferrer" onClick={open} onAuxClick={open}>
      {children}
    </a>
  );
}

/** Images are never fetched: they are shown as a link to their address (or the inert address). */
export function ImageLink({ href, alt }: { href: string; alt: string }) {
  return (
    <span class="md-image">
      <span class="codicon codicon-file-media" aria-hidden="true" />
      <span class="md-image-label">image{alt ? `: ${alt}` : ''} </span>
      {safeUrl(href) ? <SafeLink href={href}>{href}</SafeLink> : <code class="md-url">{href}</code>}
    </span>
  );
}
