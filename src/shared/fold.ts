/**
 * The one fold of a turn's events into its reply: the gateway's chat service
 * (what it stores), the conversation core (its live copy of a streaming reply)
 * and the webview (what it shows) all use it, so they cannot disagree.
 *
 * Rules: text and reasoning append; usage replaces; an `error` is recorded but
 * the reply stays "streaming" until `done`; `done` sets the final status from its
 * finish reason (an `interrupted` error makes it "interrupted"), and keeps the
 * error only when the turn finished with one (a stop after an error is a stop). Pure and immutable: returns a new message when
 * anything changed, the same one otherwise.
 */
import type { GatewayEvent } from './events';
import { statusForFinish, type ChatMessage } from './session';

export function foldEvent(m: ChatMessage, e: GatewayEvent): ChatMessage {
  switch (e.type) {
    case 'status_update':
      return m;
    case 'token':
      return e.content ? { ...m, content: m.content + e.content } : m;
    case 'thinking':
      return e.content ? { ...m, thinking: (m.thinking ?? '') + e.content } : m;
    case 'usage': {
      const { type: _t, ...usage } = e;
      return { ...m, usage };
    }
    case 'error':
      return { ...m, error: { code: e.code, message: e.message } };
    case 'done': {
      const { error, ...rest } = m;
      // A turn cut off by a shutdown ends with an `interrupted` error: shown as start-up recovery shows a crash.
      const status = e.finish_reason === 'error' && error?.code === 'interrupted' ? 'interrupted' : statusForFinish(e.finish_reason);
      return e.finish_reason === 'error' && error ? { ...rest, error, status, finish_reason: e.finish_reason } : { ...rest, status, finish_reason: e.finish_reason };
    }
  }
}

/** Folds a sequence of events (a replay) into a reply. */
export function foldEvents(m: ChatMessage, events: Iterable<GatewayEvent>): ChatMessage {
  let out = m;
  for (const e of events) out = foldEvent(out, e);
  return out;
}
