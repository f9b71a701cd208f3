import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { FollowContext } from './context';
import type { Attachment, ChatMessage } from '../../src/shared/session';
import type { StreamingState } from '../state/types';
import { IconButton } from './IconButton';
import { MessageView } from './MessageView';

interface Props {
  messages: ChatMessage[];
  streaming?: StreamingState;
  busy: boolean;
  canPull: boolean;
  /** Edit and resend: the question's text and attachments go back into the composer. */
  onEdit(content: string, attachments?: Attachment[]): void;
}

/** How close to the bottom still counts as "following the stream". */
const PIN_SLACK_PX = 48;

/**
 * The transcript. It follows the stream unless the user scrolled up, without
 * reading layout on every frame: an IntersectionObserver reports when the bottom
 * anchor drops out of view (computed by the browser during its own layout), and
 * only then do we scroll. Once the user scrolls up it stops following and offers
 * "Jump to latest" until they are back at the bottom.
 */
export function MessageList({ messages, streaming, busy, canPull, onEdit }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  const anchor = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);
  /** Mirrors !pinned for rendering; set only when it flips, so scrolling does not re-render the list. */
  const [behind, setBehind] = useState(false);
  const follow = (on: boolean) => {
    pinned.current = on;
    setBehind(!on);
  };
  /** Where our own last scroll put the view: scroll events at or below it are ours, not the user's. */
  const autoTop = useRef(0);
  const toBottom = (el: HTMLDivElement) => {
    el.scrollTop = el.scrollHeight;
    autoTop.current = el.scrollTop;
  };
  let lastUser = -1;
  let lastReply = -1;
  messages.forEach((m, i) => {
    if (m.role === 'user') lastUser = i;
    if (m.role === 'assistant') lastReply = i;
  });

  useEffect(() => {
    const el = ref.current;
    const end = anchor.current;
    if (!el || !end || typeof IntersectionObserver === 'undefined') return;
    const io = new IntersectionObserver(
      (entries) => {
        if (pinned.current && entries.some((e) => !e.isIntersecting)) {
          toBottom(el);
          // Observing afresh always reports the current state, so text that grew again
          // within the same frame is caught on the next one (an observer only reports changes).
          io.unobserve(end);
          io.observe(end);
        }
      },
      { root: el },
    );
    io.observe(end);
    return () => io.disconnect();
  }, []);

  // While a reply streams into view, follow it in the same frame as its text: set
  // right after the render, before the browser's own layout and paint (so that
  // layout is not extra), the new text and the scroll are painted and committed as
  // one frame instead of two (the observer above would scroll one frame later).
  // A text paint re-renders only the streaming message, which calls `followStream`
  // from its own layout effect.
  const followStream = useCallback(() => {
    const el = ref.current;
    if (el && pinned.current) toBottom(el);
  }, []);
  useLayoutEffect(() => {
    if (streaming) followStream();
  });

  // A new message (or another session) starts at the bottom.
  const count = messages.length;
  const firstId = messages[0]?.id;
  useEffect(() => {
    const el = ref.current;
    follow(true);
    if (el) toBottom(el);
  }, [count, firstId]);

  const jump = () => {
    const el = ref.current;
    follow(true);
    if (el) toBottom(el);
  };

  return (
    <div class="messages-frame">
      <div
        class="messages"
        ref={ref}
        role="log"
        aria-label="Conversation"
        onScroll={(e) => {
          const el = e.currentTarget;
          // Text may have grown since our own scroll: only moving up un-pins; reaching the bottom re-pins.
          const on = el.scrollTop >= autoTop.current - 2 || el.scrollHeight - el.scrollTop - el.clientHeight < PIN_SLACK_PX;
          if (on !== pinned.current) follow(on);
        }}
      >
        <FollowContext.Provider value={followStream}>
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
        </FollowContext.Provider>
        <div class="scroll-anchor" ref={anchor} aria-hidden="true" />
      </div>
      {behind && <IconButton icon="arrow-down" label="Jump to latest" text="Jump to latest" class="jump-latest" onClick={jump} />}
    </div>
  );
}
