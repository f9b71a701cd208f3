/**
 * Writes a scripted NDJSON reply the way Ollama does (headers only once the first
 * line exists), with the awkward parts a test asks for: delays, arbitrary byte
 * chunking (also inside UTF-8 code points), several lines per write, and faults.
 */
import type { ServerResponse } from 'node:http';
import { abortableDelay } from '../../src/shared/abortableDelay';
import type { Chunking } from './types';

/** One thing to do to the response, in order. */
export type Step =
  | { kind: 'line'; text: string; delayMs?: number }
  /** Raw bytes that end the body without a newline (truncated line). */
  | { kind: 'raw-end'; text: string; delayMs?: number }
  /** Destroy the socket; with beforeHeaders, without sending a status line first. */
  | { kind: 'reset'; delayMs?: number; beforeHeaders?: boolean }
  | { kind: 'stall'; delayMs?: number }
  | { kind: 'end'; delayMs?: number };

export interface WriteOptions {
  chunking?: Chunking;
  writeGapMs?: number;
  contentType: string;
  /** Called just before the double destroys the socket itself (so it is not taken for a client close). */
  onServerAbort(): void;
}

/** Resolves after ms, or early (false) when the signal aborts. */
export const sleep = abortableDelay;

/** Runs the steps against res; returns when the body ended, the socket was reset, or the client left. */
export async function writeSteps(res: ServerResponse, steps: Iterable<Step>, closed: AbortSignal, opts: WriteOptions): Promise<void> {
  const chunking = opts.chunking ?? { kind: 'line' };
  let offset = 0; // bytes of body written so far, for 'bytes'/'cuts'
  let held: Buffer[] = []; // lines waiting to share one write ('lines')

  const startHeaders = () => {
    if (!res.headersSent) {
      res.writeHead(200, { 'Content-Type': opts.contentType, Date: new Date().toUTCString() });
      res.socket?.setNoDelay(true);
    }
  };

  const rawWrite = async (buf: Buffer): Promise<boolean> => {
    if (closed.aborted || res.destroyed) return false;
    const ok = res.write(buf);
    if (!ok) {
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off('drain', done);
          closed.removeEventListener('abort', done);
          resolve();
        };
        res.on('drain', done);
        closed.addEventListener('abort', done, { once: true });
      });
    }
    if (opts.writeGapMs) return sleep(opts.writeGapMs, closed);
    return !closed.aborted;
  };

  /** Writes buf split at the chunking's cut points. */
  const cutWrite = async (buf: Buffer): Promise<boolean> => {
    if (chunking.kind === 'bytes' || chunking.kind === 'cuts') {
      const cuts: number[] = [];
      if (chunking.kind === 'bytes') {
        const size = Math.max(1, chunking.size);
        for (let at = Math.ceil((offset + 1) / size) * size; at < offset + buf.length; at += size) cuts.push(at - offset);
      } else {
        for (const at of chunking.at) if (at > offset && at < offset + buf.length) cuts.push(at - offset);
        cuts.sort((a, b) => a - b);
      }
      let from = 0;
      for (const c of [...cuts, buf.length]) {
        if (c > from && !(await paced(buf.subarray(from, c)))) return false;
        from = c;
      }
      offset += buf.length;
      return true;
    }
    offset += buf.length;
    return rawWrite(buf);
  };

  // With explicit chunking each piece goes out on its own (write callback awaited),
  // so the client is likely to see the cuts as separate reads.
  const paced = async (piece: Buffer): Promise<boolean> => {
    if (closed.aborted || res.destroyed) return false;
    await new Promise<void>((resolve) => res.write(piece, () => resolve()));
    if (opts.writeGapMs) return sleep(opts.writeGapMs, closed);
    return !closed.aborted;
  };

  const flushHeld = async (): Promise<boolean> => {
    if (held.length === 0) return true;
    const buf = Buffer.concat(held);
    held = [];
    return cutWrite(buf);
  };

  for (const step of steps) {
    if (step.delayMs && step.delayMs > 0) {
      if (!(await flushHeld())) return;
      if (!(await sleep(step.delayMs, closed))) return;
    }
    if (closed.aborted || res.destroyed) return;
    switch (step.kind) {
      case 'line': {
        startHeaders();
        const buf = Buffer.from(step.text + '\n', 'utf8');
        if (chunking.kind === 'lines') {
          held.push(buf);
          if (held.length >= Math.max(1, chunking.perWrite) && !(await flushHeld())) return;
        } else if (!(await cutWrite(buf))) return;
        break;
      }
      case 'raw-end': {
        startHeaders();
        if (!(await flushHeld())) return;
        if (!(await cutWrite(Buffer.from(step.text, 'utf8')))) return;
        res.end();
        return;
      }
      case 'reset': {
        if (!step.beforeHeaders) {
          startHeaders();
          if (!(await flushHeld())) return;
          // Let the bytes already written reach the client before the reset.
          await new Promise<void>((resolve) => res.write('', () => resolve()));
        }
        opts.onServerAbort();
        res.socket?.resetAndDestroy?.() ?? res.socket?.destroy();
        return;
      }
      case 'stall': {
        if (!(await flushHeld())) return;
        // Hold the connection open until the client gives up (or the double stops).
        await new Promise<void>((resolve) => {
          if (closed.aborted) resolve();
          else closed.addEventListener('abort', () => resolve(), { once: true });
        });
        return;
      }
      case 'end': {
        startHeaders();
        if (!(await flushHeld())) return;
        res.end();
        return;
      }
      default: {
        const never: never = step;
        throw new Error(`unknown step ${String(never)}`);
      }
    }
  }
  if (await flushHeld()) res.end();
}
