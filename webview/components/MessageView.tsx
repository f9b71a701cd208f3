import { Component } from 'preact';
import { useContext, useLayoutEffect, useMemo, useReducer } from 'preact/hooks';
import type { Attachment, ChatMessage } from '../../src/shared/session';
import type { StreamingState } from '../state/types';
import { ActionsContext, FollowContext, LiveMessagesContext, ReplyContext, type AppActions } from './context';
import { ErrorBoundary, FailedMessage } from './ErrorBoundary';
import { IconButton } from './IconButton';
import { InlineCode } from './InlineCode';
import { Markdown } from './Markdown';
import { PhaseLine } from './PhaseLine';
import { ReplyFooter } from './ReplyFooter';
import { Thinking } from './Thinking';
import { UserMessage } from './UserMessage';

export interface MessageProps {
  message: ChatMessage;
  /** Set while this message is the reply being streamed. */
  streaming?: StreamingState;
  /** Last user message / last reply: the ones Edit and Regenerate apply to. */
  isLastUser: boolean;
  isLastReply: boolean;
  busy: boolean;
  canPull: boolean;
  /** Edit and resend: the question's text and attachments go back into the composer. */
  onEdit(content: string, attachments?: Attachment[]): void;
}

/** Drops the last reply and asks for a new one: Regenerate, and Retry on a reply that did not finish. */
function regenerate(actions: AppActions): void {
  actions.local({ type: 'local/regenerate' });
  actions.post({ type: 'regenerate' });
}

function RetryButton() {
  const actions = useContext(ActionsContext);
  return <IconButton icon="refresh" label="Retry" text="Retry" onClick={() => regenerate(actions)} />;
}

function ReplyStatus({ message, canPull, canRetry }: { message: ChatMessage; canPull: boolean; canRetry: boolean }) {
  const actions = useContext(ActionsContext);
  // Before the error branch: recovery stores an 'interrupted' error too, and the marker says it better.
  if (message.status === 'interrupted') {
    return (
      <div class="reply-marker reply-interrupted">
        <span>
          <span class="codicon codicon-debug-disconnect" aria-hidden="true" /> Interrupted — Hearth stopped before this reply finished.
        </span>
        {canRetry && <RetryButton />}
      </div>
    );
  }
  if (message.status === 'error' || message.error) {
    const err = message.error;
    // The connection banner already says where Ollama was expected and how to start it; the full text stays in the tooltip.
    const text = err?.code === 'unreachable' ? 'Could not reach the model server.' : (err?.message ?? 'The reply failed.');
    return (
      <div class="reply-error" role="alert" title={err?.code === 'unreachable' ? err.message : undefined}>
        <span class="codicon codicon-error" aria-hidden="true" />
        <span class="reply-error-text">
          <InlineCode text={text} />
        </span>
        {err?.code === 'model_not_found' && canPull && message.model && (
          <IconButton icon="cloud-download" label={`Pull ${message.model}`} text={`Pull ${message.model}`} onClick={() => actions.post({ type: 'pullModel', model: message.model! })} />
        )}
        {canRetry && <RetryButton />}
      </div>
    );
  }
  if (message.status === 'stopped') return <div class="reply-marker">Stopped — the reply was cut short.</div>;
  return null;
}

/**
 * The message as the store holds it now while it streams: a text paint re-renders this
 * message alone (the app and the list are not re-rendered for it), and the view follows.
 */
function useLiveMessage(message: ChatMessage, streaming: boolean): ChatMessage {
  const live = useContext(LiveMessagesContext);
  const follow = useContext(FollowContext);
  const [, bump] = useReducer((n: number) => n + 1, 0);
  const id = message.id;
  // A layout effect: subscribed before the next frame, so no paint falls between render and subscription.
  useLayoutEffect(() => {
    if (!streaming || !live) return;
    return live.subscribe(() => bump(0));
  }, [live, id, streaming]);
  useLayoutEffect(() => {
    if (streaming) follow();
  });
  return (streaming && live?.get(id)) || message;
}

function MessageBody(props: MessageProps) {
  const actions = useContext(ActionsContext);
  const { streaming, isLastUser, isLastReply, busy, canPull, onEdit } = props;
  const m = useLiveMessage(props.message, !!streaming);
  // Stable while the reply streams, so its finished code blocks are not re-rendered per frame.
  const reply = useMemo(() => ({ messageId: m.id, ...(m.applied ? { applied: m.applied } : {}) }), [m.id, m.applied]);
  if (m.role === 'user') return <UserMessage message={m} canEdit={isLastUser && !busy} onEdit={onEdit} />;
  if (m.role === 'system') return null;
  const live = !!streaming;
  return (
    <div class={`message message-assistant status-${m.status}`} aria-label="Reply" aria-busy={live}>
      {m.thinking && <Thinking text={m.thinking} active={live && !m.content} />}
      {m.content && (
        <ReplyContext.Provider value={reply}>
          <Markdown text={m.content} streaming={live} />
        </ReplyContext.Provider>
      )}
      {live && <PhaseLine phase={streaming.phase} startedAt={streaming.startedAt} />}
      <ReplyStatus message={m} canPull={canPull} canRetry={!live && isLastReply && !busy} />
      {!live && <ReplyFooter message={m} />}
      {!live && (
        <div class="message-actions">
          <IconButton icon="copy" label="Copy reply" onClick={() => actions.post({ type: 'copy', text: m.content })} />
          {isLastReply && !busy && <IconButton icon="refresh" label="Regenerate" onClick={() => regenerate(actions)} />}
        </div>
      )}
    </div>
  );
}

/** Skips re-rendering messages that did not change (the store keeps their identity). */
export class MessageView extends Component<MessageProps> {
  override shouldComponentUpdate(next: MessageProps): boolean {
    const p = this.props;
    return (
      p.message !== next.message ||
      p.streaming !== next.streaming ||
      p.isLastUser !== next.isLastUser ||
      p.isLastReply !== next.isLastReply ||
      p.busy !== next.busy ||
      p.canPull !== next.canPull
    );
  }
  override render() {
    // A message that fails to render shows its text plain; the others still render.
    return (
      <ErrorBoundary resetKey={this.props.message.status} fallback={() => <FailedMessage message={this.props.message} />}>
        <MessageBody {...this.props} />
      </ErrorBoundary>
    );
  }
}
