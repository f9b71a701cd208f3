import { Component, Fragment, type ComponentChild } from 'preact';
import { useContext, useMemo, useRef } from 'preact/hooks';
import { showBidiControls } from '../../src/shared/bidi';
import { codeBlockKey } from '../../src/shared/codeBlocks';
import { highlightCode, knownLanguage, LiveHighlighter } from '../markdown/highlight';
import { ActionsContext, ReplyContext } from './context';
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
  const reply = useContext(ReplyContext);
  // What became of this block (applied / rejected), by the key the host stored it under.
  const key = useMemo(() => (reply && !open ? codeBlockKey(code) : undefined), [reply, code, open]);
  const applyState = key ? reply?.applied?.[key] : undefined;
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
  const label = showBidiControls((lang ?? '').trim().split(/\s+/)[0] ?? '') || 'text';
  return (
    <div class={`code-block${open ? ' code-open' : ''}`}>
      <div class="code-header">
        <bdi class="code-lang">{label}</bdi>
        <span class="code-actions">
          {applyState && (
            <span class={`code-state code-${applyState}`} role="status">
              <span class={`codicon codicon-${applyState === 'applied' ? 'check' : 'close'}`} aria-hidden="true" /> {applyState === 'applied' ? 'Applied' : 'Rejected'}
            </span>
          )}
          <IconButton icon="copy" label="Copy code" onClick={() => actions.post({ type: 'copy', text: code })} />
          {actions.editor && (
            <>
              <IconButton icon="insert" label="Insert at cursor" onClick={() => actions.post({ type: 'insertCode', code })} />
              <IconButton
                icon="go-to-file"
                label="Open in new editor"
                onClick={() => actions.post(language ? { type: 'openInEditor', code, language } : { type: 'openInEditor', code })}
              />
              {reply && (
                <IconButton
                  icon="diff"
                  text="Apply"
                  label={open ? 'Apply (waits for the block to finish)' : 'Apply to a file (review the change as a diff)'}
                  disabled={open}
                  onClick={() => actions.post({ type: 'applyCode', messageId: reply.messageId, code })}
                />
              )}
            </>
          )}
          {!actions.editor && reply && (
            <span class="code-note" title="This page has no workspace to change. Apply works in Hearth inside VS Code.">
              Copy only here: Apply works in VS Code
            </span>
          )}
        </span>
      </div>
      <pre>
        <code class={`hljs${language ? ` language-${language}` : ''}`}>{body}</code>
      </pre>
    </div>
  );
}
