/**
 * A Server-Sent Events decoder (the OpenAI-compatible streaming format), correct
 * under any chunking: lines end in \n, \r\n or \r; an event ends at a blank line;
 * several `data:` lines join with \n; comments (":") are ignored.
 */
import { MAX_LINE_CHARS, NdjsonError } from './ndjson';

export interface SseEvent {
  event?: string;
  data: string;
}

export class SseDecoder {
  private readonly decoder = new TextDecoder('utf-8');
  private pending = '';
  private data: string[] = [];
  private event: string | undefined;
  /** A lone \r at the end of a read may be followed by \n in the next. */
  private skipLf = false;

  constructor(private readonly maxLineChars = MAX_LINE_CHARS) {}

  push(chunk: Uint8Array, sink: (e: SseEvent) => void): void {
    this.take(this.decoder.decode(chunk, { stream: true }), sink);
  }

  /** Ends the stream; an event not closed by a blank line is dropped, as the SSE spec says. */
  end(sink: (e: SseEvent) => void): void {
    this.take(this.decoder.decode(), sink);
    this.pending = '';
    this.data = [];
  }

  private take(text: string, sink: (e: SseEvent) => void): void {
    let i = 0;
    if (this.skipLf && text.startsWith('\n')) i = 1;
    this.skipLf = false;
    while (i < text.length) {
      const lf = text.indexOf('\n', i);
      const cr = text.indexOf('\r', i);
      const end = lf === -1 ? cr : cr === -1 ? lf : Math.min(lf, cr);
      if (end === -1) {
        this.pending += text.slice(i);
        if (this.pending.length > this.maxLineChars) {
          this.pending = '';
          throw new NdjsonError(`an event line longer than ${this.maxLineChars} characters arrived`, 'oversized');
        }
        return;
      }
      const line = this.pending + text.slice(i, end);
      this.pending = '';
      if (text[end] === '\r') {
        if (end + 1 < text.length) i = text[end + 1] === '\n' ? end + 2 : end + 1;
        else {
          this.skipLf = true;
          i = end + 1;
        }
      } else i = end + 1;
      this.line(line, sink);
    }
  }

  private line(line: string, sink: (e: SseEvent) => void): void {
    if (line === '') {
      if (this.data.length > 0) sink({ ...(this.event ? { event: this.event } : {}), data: this.data.join('\n') });
      this.data = [];
      this.event = undefined;
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
  }
}
