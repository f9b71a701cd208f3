/** One Server-Sent Event as the spec's parser dispatches it. */
export interface SseMessage {
  event: string;
  data: string;
  id?: string;
}

/**
 * An incremental text/event-stream parser (WHATWG rules, minus reconnection):
 * fed decoded text in arbitrary chunks — a line, a CRLF pair or a field may be
 * split anywhere — it returns the events completed by each chunk. Comment
 * lines (`: keep-alive`) are skipped. Lines beyond maxLineChars are dropped,
 * so a hostile stream cannot grow memory without bound.
 */
export class SseParser {
  private line = '';
  private lastWasCR = false;
  private event = '';
  private data: string[] = [];
  private id: string | undefined;
  private overflow = false;

  constructor(private readonly maxLineChars = 4 * 1024 * 1024) {}

  push(chunk: string): SseMessage[] {
    const out: SseMessage[] = [];
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      if (c === 10 && this.lastWasCR && i === start && this.line === '') {
        // The LF of a CRLF split across (or within) chunks: already ended the line.
        this.lastWasCR = false;
        start = i + 1;
        continue;
      }
      this.append(chunk.slice(start, i));
      this.endLine(out);
      this.lastWasCR = c === 13;
      start = i + 1;
    }
    if (start < chunk.length) {
      this.append(chunk.slice(start));
      this.lastWasCR = false;
    }
    return out;
  }

  private append(s: string): void {
    if (this.overflow) return;
    if (this.line.length + s.length > this.maxLineChars) {
      this.overflow = true;
      this.line = '';
      return;
    }
    this.line += s;
  }

  private endLine(out: SseMessage[]): void {
    const line = this.line;
    const dropped = this.overflow;
    this.line = '';
    this.overflow = false;
    if (dropped) return;
    if (line === '') {
      if (this.data.length > 0) out.push({ event: this.event || 'message', data: this.data.join('\n'), ...(this.id !== undefined ? { id: this.id } : {}) });
      this.event = '';
      this.data = [];
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.event = value;
        break;
      case 'data':
        this.data.push(value);
        break;
      case 'id':
        if (!value.includes('\u0000')) this.id = value;
        break;
      default:
        break; // retry and unknown fields: ignored
    }
  }
}
