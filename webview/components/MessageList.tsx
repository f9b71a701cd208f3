import { useEffect, useRef } from 'preact/hooks';
import type { ChatMessage } from '../../src/shared/session';
import type { StreamingState } from '../state/types';
import { MessageView } from './MessageView';

interface Props {
  messages: ChatMessage[];
  streaming?: StreamingState;
  busy: boolean;
  canPull: boolean;
  onEdit(content: string): void;
}

/** The transcript. Follows the stream to the bottom unless the user scrolled up. */
export function MessageList({ messages, streaming, busy, canPull, onEdit }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);
  let lastUser = -1;
  let lastReply = -1;
  messages.forEach((m, i) => {
    if (m.role === 'user') lastUser = i;
    if (m.role === 'assistant') lastReply = i;
  });
  useEffect(() => {
    const el = ref.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  });
  return (
    <div
      class="messages"
      ref={ref}
      role="log"
      aria-label="Conversation"
      onScroll={(e) => {
        const el = e.currentTarget;
        pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
      }}
    >
      {messages.map((m, i) => (
        <MessageView
          key={m.id}
          message={m}
          streaming={streaming && streaming.messageId === m.id ? streaming : undefined}
          isLastUser={i === lastUser}
          isLastReply={i === lastReply && i === messages.length - 1}
          busy={busy}
          canPull={canPull}
          onEdit={onEdit}
        />
      ))}
    </div>
  );
}
