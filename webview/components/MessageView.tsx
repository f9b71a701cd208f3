import { Component } from 'preact';
import { useContext } from 'preact/hooks';
import type { ChatMessage } from '../../src/shared/session';
import type { StreamingState } from '../state/types';
import { ActionsContext } from './context';
import { ErrorBoundary, FailedMessage } from './ErrorBoundary';
import { IconButton } from './IconButton';
import { Markdown } from './Markdown';
import { PhaseLine } from './PhaseLine';
import { ReplyFooter } from './ReplyFooter';
import { Thinking } from './Thinking';

export interface MessageProps {
  message: ChatMessage;
  /** Set while this message is the reply being streamed. */
  streaming?: StreamingState;
  /** Last user message / last reply: the ones Edit and Regenerate apply to. */
  isLastUser: boolean;
  isLastReply: boolean;
  busy: boolean;
  canPull: boolean;
  onEdit(content: string): void;
}

function ReplyStatus({ message, canPull }: { message: ChatMessage; canPull: boolean }) {
  const actions = useContext(ActionsContext);
  // Before the error branch: recovery stores an 'interrupted' error too, and the marker says it better.
  if (message.status === 'interrupted') {
    return (
      <div class="reply-marker reply-interrupted">
        <span class="codicon codicon-debug-disconnect" aria-hidden="true" /> Interrupted — Hearth stopped before this reply finished.
      </div>
    );
  }
  if (message.status === 'error' || message.error) {
    const err = message.error;
    return (
      <div class="reply-error" role="alert">
        <span class="codicon codicon-error" aria-hidden="true" />
        <span>{err ? err.message : 'The reply failed.'}</span>
        {err?.code === 'model_not_found' && canPull && message.model && (
          <IconButton icon="cloud-download" label={`Pull ${message.model}`} text={`Pull ${message.model}`} onClick={() => actions.post({ type: 'pullModel', model: message.model! })} />
        )}
        {err?.code === 'ollama_unreachable' && (
          <IconButton icon="refresh" label="Retry connection" text="Retry" onClick={() => actions.post({ type: 'retryConnection' })} />
        )}
      </div>
    );
  }
  if (message.status === 'stopped') return <div class="reply-marker">Stopped — the reply was cut short.</div>;
  return null;
}

function MessageBody(props: MessageProps) {
  const actions = useContext(ActionsContext);
  const { message: m, streaming, isLastUser, isLastReply, busy, canPull, onEdit } = props;
  if (m.role === 'user') {
    return (
      <div class="message message-user" aria-label="You">
        <div class="user-text">{m.content}</div>
        {isLastUser && !busy && (
          <div class="message-actions">
            <IconButton icon="edit" label="Edit and resend" onClick={() => onEdit(m.content)} />
          </div>
        )}
      </div>
    );
  }
  if (m.role === 'system') return null;
  const live = !!streaming;
  return (
    <div class={`message message-assistant status-${m.status}`} aria-label="Reply" aria-busy={live}>
      {m.thinking && <Thinking text={m.thinking} active={live && !m.content} />}
      {m.content && <Markdown text={m.content} streaming={live} />}
      {live && <PhaseLine phase={streaming.phase} startedAt={streaming.startedAt} />}
      <ReplyStatus message={m} canPull={canPull} />
      {!live && <ReplyFooter message={m} />}
      {!live && (
        <div class="message-actions">
          <IconButton icon="copy" label="Copy reply" onClick={() => actions.post({ type: 'copy', text: m.content })} />
          {isLastReply && !busy && <IconButton icon="refresh" label="Regenerate" onClick={() => {
                actions.local({ type: 'local/regenerate' });
                actions.post({ type: 'regenerate' });
              }} />}
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
