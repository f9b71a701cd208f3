/**
 * Streaming NDJSON: correct however the bytes are chunked — lines split across
 * reads, UTF-8 code points split across reads (one streaming TextDecoder), several
 * lines per read, a last line without a newline. Lines may be long (no small cap)
 * but a hard upper bound turns a runaway line into a clear error instead of OOM.
 */

/** Default hard bound for one line, in UTF-16 code units (≈ bytes for JSON text). */
export const MAX_LINE_CHARS = 16 * 1024 * 1024;

export class NdjsonError extends Error {
  override readonly name = 'NdjsonError';
  constructor(
    message: string,
    /** 'incomplete': the stream ended inside a line (a cut connection, not a bad server). */
    readonly kind: 'malformed' | 'oversized' | 'incomplete',
  ) {
    super(message);
  }
}

export class NdjsonDecoder {
  private readonly decoder = new TextDecoder('utf-8');
  /** The start of a line whose end has not arrived yet. */
  private pending = '';

  /**
   * fastPath, if given, may turn a line into its value without a full JSON.parse
   * (returning undefined to decline); it must accept only lines JSON.parse would
   * give the same value for.
   */
  constructor(
    private readonly maxLineChars = MAX_LINE_CHARS,
    private readonly fastPath?: (line: string) => unknown,
  ) {}

  /** Feeds one chunk; calls sink for every complete line's value, in order. Throws NdjsonError after delivering the values before the bad line. */
  push(chunk: Uint8Array, sink: (value: unknown) => void): void {
    this.take(this.decoder.decode(chunk, { stream: true }), sink);
  }

  /** Ends the stream: the last line may lack its newline. */
  end(sink: (value: unknown) => void): void {
    this.take(this.decoder.decode(), sink);
    const rest = this.pending;
    this.pending = '';
    try {
      this.parse(rest, sink);
    } catch (e) {
      // A last line without its newline that is not JSON was cut off, not malformed.
      if (e instanceof NdjsonError && e.kind === 'malformed') throw new NdjsonError(`the stream ended in the middle of a line: ${e.message}`, 'incomplete');
      throw e;
    }
  }

  private take(text: string, sink: (value: unknown) => void): void {
    let nl = text.indexOf('\n');
    if (nl === -1) {
      this.pending += text;
      this.checkPending();
      return;
    }
    const first = this.pending + text.slice(0, nl);
    this.pending = '';
    this.parse(first, sink);
    let start = nl + 1;
    while ((nl = text.indexOf('\n', start)) !== -1) {
      this.parse(text.slice(start, nl), sink);
      start = nl + 1;
    }
    this.pending = text.slice(start);
    this.checkPending();
  }

  private checkPending(): void {
    if (this.pending.length > this.maxLineChars) {
      const size = this.pending.length;
      this.pending = '';
      throw new NdjsonError(`a line longer than ${this.maxLineChars} characters (${size} so far) arrived; refusing to buffer more`, 'oversized');
    }
  }

  private parse(line: string, sink: (value: unknown) => void): void {
    if (line.length > this.maxLineChars) throw new NdjsonError(`a line of ${line.length} characters exceeds the ${this.maxLineChars} limit`, 'oversized');
    // Tolerate CRLF and blank lines; anything else must be JSON.
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (text.trim() === '') return;
    const fast = this.fastPath?.(text);
    if (fast !== undefined) {
      sink(fast);
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      const snippet = text.length > 80 ? `${text.slice(0, 80)}…` : text;
      throw new NdjsonError(`a line that is not valid JSON arrived: ${snippet}`, 'malformed');
    }
    sink(value);
  }
}

/** Reads NDJSON values from a byte stream; values before a bad line are yielded before the error is thrown. */
export async function* readNdjson(source: AsyncIterable<Uint8Array>, maxLineChars = MAX_LINE_CHARS): AsyncGenerator<unknown> {
  const decoder = new NdjsonDecoder(maxLineChars);
  const batch: unknown[] = [];
  const sink = (v: unknown) => void batch.push(v);
  for await (const chunk of source) {
    let failure: unknown;
    try {
      decoder.push(chunk, sink);
    } catch (e) {
      failure = e;
    }
    yield* batch.splice(0);
    if (failure) throw failure;
  }
  let failure: unknown;
  try {
    decoder.end(sink);
  } catch (e) {
    failure = e;
  }
  yield* batch.splice(0);
  if (failure) throw failure;
}
