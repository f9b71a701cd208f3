import { Component, Fragment, type ComponentChild } from 'preact';
import { useContext, useMemo, useRef } from 'preact/hooks';
import { showBidiControls } from '../../src/shared/bidi';
import { codeBlockActions, missingReplyActions, type CodeBlockActionId, type PageHost } from '../../src/shared/codeBlockActions';
import { codeBlockKey } from '../../src/shared/codeBlocks';
import { highlightCode, knownLanguage, LiveHighlighter } from '../markdown/highlight';
import { ActionsContext, ReplyContext, type AppActions } from './context';
import { IconButton } from './IconButton';

interface Props {
  code: string;
  lang?: string;
  /** The fence is not closed yet (still streaming). */
  open?: boolean;
}

/** The block an action acts on: its code, its fence's language, the reply it is in (Apply names it). */
interface BlockRef {
  code: string;
  language?: string;
  messageId?: string;
}

/** What each action does (its descriptor, in src/shared/codeBlockActions.ts, says where it shows). */
const HANDLERS: { readonly [K in CodeBlockActionId]: (b: BlockRef, actions: AppActions) => void } = {
  copy: (b, a) => a.post({ type: 'copy', text: b.code }),
  insert: (b, a) => a.post({ type: 'insertCode', code: b.code }),
  openInEditor: (b, a) => a.post(b.language ? { type: 'openInEditor', code: b.code, language: b.language } : { type: 'openInEditor', code: b.code }),
  apply: (b, a) => {
    // A request: its outcome comes back as a reply (a failure is said as a notice).
    if (b.messageId) void a.apply(b.messageId, b.code);
  },
};

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
  const host: PageHost = actions.editor ? 'vscode' : 'browser';
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
          {codeBlockActions(host, !!reply).map((a) => {
            // An action that needs the whole block waits (disabled, saying so) while it is still being written.
            const wait = open ? a.waitLabel : undefined;
            return (
              <IconButton
                key={a.id}
                icon={a.codicon}
                label={wait ?? a.label}
                {...(a.text ? { text: a.text } : {})}
                disabled={wait !== undefined}
                onClick={() => HANDLERS[a.id]({ code, ...(language ? { language } : {}), ...(reply ? { messageId: reply.messageId } : {}) }, actions)}
              />
            );
          })}
          {reply && missingReplyActions(host).length > 0 && (
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
