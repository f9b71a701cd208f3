/** Folds one gateway event into the reply it belongs to (the host's live copy of a streaming reply). Pure. */
import type { GatewayEvent } from '../../shared/events';
import { statusForFinish, type ChatMessage } from '../../shared/session';



export function applyEvent(m: ChatMessage, e: GatewayEvent): void {
  switch (e.type) {
    case 'status_update':
      return;
    case 'token':
      m.content += e.content;
      return;
    case 'thinking':
      m.thinking = (m.thinking ?? '') + e.content;
      return;
    case 'usage': {
      const { type: _t, ...usage } = e;
      m.usage = usage;
      return;
    }
    case 'error':
      m.error = { code: e.code, message: e.message };
      return;
    case 'done':
      m.finish_reason = e.finish_reason;
      m.status = statusForFinish(e.finish_reason);
      return;
  }
}
