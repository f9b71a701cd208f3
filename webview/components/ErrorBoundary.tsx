import { Component, type ComponentChildren } from 'preact';
import type { ChatMessage } from '../../src/shared/session';

interface Props {
  /** What to show instead of the children once they failed. */
  fallback(): ComponentChildren;
  /** The children are tried again when this changes (e.g. a reply that failed mid-stream, once it ends). */
  resetKey?: unknown;
  children?: ComponentChildren;
}

/**
 * Contains a rendering failure to one part of the UI: without it, an exception
 * anywhere in the tree unmounts the whole app and the panel goes blank.
 */
export class ErrorBoundary extends Component<Props, { failedAt?: { key: unknown } }> {
  override componentDidCatch(error: unknown): void {
    this.setState({ failedAt: { key: this.props.resetKey } });
    console.error('Hearth: part of the chat failed to render; showing a plain fallback.', error);
  }
  override render() {
    const failed = this.state.failedAt;
    return failed && failed.key === this.props.resetKey ? this.props.fallback() : this.props.children;
  }
}

/** A message whose rendering failed: its raw text, readable, with a note. */
export function FailedMessage({ message }: { message: ChatMessage }) {
  return (
    <div class={`message message-${message.role} message-failed`} aria-label={message.role === 'user' ? 'You' : 'Reply'}>
      <p class="md-plain">{message.content}</p>
      <div class="reply-marker">This message could not be displayed formatted; it is shown as plain text.</div>
    </div>
  );
}
