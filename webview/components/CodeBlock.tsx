import { Component, Fragment, type ComponentChild } from 'preact';
import { useContext, useRef } from 'preact/hooks';
import { highlightCode, knownLanguage, LiveHighlighter } from '../markdown/highlight';
import { ActionsContext } from './context';
import { IconButton } from './IconButton';

interface Props {
  code: string;
  lang?: string;
  /** The fence is not closed yet (still streaming). */
  open?: boolean;
}

/** A run of already highlighted lines of a streaming block: it never changes, so it never re-renders. */
class Settled extends Component<{ nodes: ComponentChild }> {
  override shouldComponentUpdate(next: { nodes: ComponentChild }): boolean {
    return next.nodes !== this.props.nodes;
  }
  override render() {
    return this.props.nodes;
  }
}

export function CodeBlock({ code, lang, open }: Props) {
  const actions = useContext(ActionsContext);
  const live = useRef<LiveHighlighter | null>(null);
  const language = knownLanguage(lang);
  let body: ComponentChild;
  if (open) {
    // Streaming: only the lines after the last settled run are highlighted (and diffed) per frame.
    if (!live.current || live.current.lang !== lang) live.current = new LiveHighlighter(lang);
    const { settled, rest } = live.current.highlight(code);
    body = [...settled.map((nodes, i) => <Settled key={i} nodes={nodes} />), <Fragment key="rest">{rest}</Fragment>];
  } else {
    live.current = null;
    body = highlightCode(code, language);
  }
  const label = (lang ?? '').trim().split(/\s+/)[0] || 'text';
  return (
    <div class={`code-block${open ? ' code-open' : ''}`}>
      <div class="code-header">
        <span class="code-lang">{label}</span>
        <span class="code-actions">
          <IconButton icon="copy" label="Copy code" onClick={() => actions.post({ type: 'copy', text: code })} />
          {actions.editor && (
            <>
              <IconButton icon="insert" label="Insert at cursor" onClick={() => actions.post({ type: 'insertCode', code })} />
              <IconButton
                icon="go-to-file"
                label="Open in new editor"
                onClick={() => actions.post(language ? { type: 'openInEditor', code, language } : { type: 'openInEditor', code })}
              />
            </>
          )}
        </span>
      </div>
      <pre>
        <code class={`hljs${language ? ` language-${language}` : ''}`}>{body}</code>
      </pre>
    </div>
  );
}
