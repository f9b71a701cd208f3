import type { ComponentChild } from 'preact';

/**
 * Text from the host (errors, notices) with `backticked` commands shown as code.
 * Only backticks are read: no links, no HTML, nothing else of markdown, so a
 * message can never turn into markup beyond a code span.
 */
export function InlineCode({ text }: { text: string }) {
  const parts: ComponentChild[] = [];
  const re = /`([^`\n]+)`/g;
  let at = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > at) parts.push(text.slice(at, m.index));
    parts.push(<code class="md-codespan">{m[1]}</code>);
    at = m.index + m[0].length;
  }
  if (at < text.length) parts.push(text.slice(at));
  return <>{parts}</>;
}
