/**
 * One Server-Sent Events response: `id:`/`event:`/`data:` frames, a `: keep-alive`
 * comment every heartbeat, and protection against a reader that stopped reading:
 * once more than `maxBufferedBytes` wait in our buffer the connection is dropped,
 * so one stalled client cannot hold memory or slow the others.
 */
import type { ServerResponse } from 'node:http';
import { eventData } from '../../shared/events';
import type { SequencedEvent } from '../chat/types';
import { BASE_HEADERS } from './httpError';

export interface SseOptions {
  heartbeatMs: number;
  maxBufferedBytes: number;
  /** Told when the stream is dropped for a stalled reader. */
  onStalled?: () => void;
}

export function formatEvent(se: SequencedEvent): string {
  // JSON.stringify never emits a raw newline, so one data: line is always enough.
  return `id: ${se.id}\nevent: ${se.event.type}\ndata: ${JSON.stringify(eventData(se.event))}\n\n`;
}

export class SseStream {
  private heartbeat: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly opts: SseOptions,
  ) {
    res.on('close', () => this.stop());
  }

  /** True while the client is connected and we have not ended or dropped it. */
  get open(): boolean {
    return !this.closed && !this.res.destroyed;
  }

  start(): void {
    this.res.writeHead(200, {
      ...BASE_HEADERS,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    this.res.flushHeaders();
    this.heartbeat = setInterval(() => this.write(': keep-alive\n\n'), this.opts.heartbeatMs);
  }

  send(se: SequencedEvent): boolean {
    return this.write(formatEvent(se));
  }

  /** Writes one frame; false when the stream is gone (closed, or dropped for stalling). */
  write(frame: string): boolean {
    if (!this.open) return false;
    this.res.write(frame);
    if (this.res.writableLength > this.opts.maxBufferedBytes) {
      this.stop();
      this.res.destroy();
      this.opts.onStalled?.();
      return false;
    }
    return true;
  }

  end(): void {
    if (!this.open) return;
    this.stop();
    this.res.end();
  }

  private stop(): void {
    this.closed = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }
}
