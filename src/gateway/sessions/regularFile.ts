/**
 * The one way Hearth reads a file from its data folder (transcripts, side records,
 * `.index.json`, lock files, the standalone gateway's prefs.json): only a regular
 * file, only up to a size cap. Anything else (a named pipe, whose open blocks until
 * a writer comes and would hang start-up or `/sessions`; a device; a huge file)
 * is refused with NotRegularFileError before a byte is read.
 *
 * The file is opened with O_NONBLOCK (so opening a FIFO returns at once) and the
 * open descriptor is checked with fstat, so nothing can be swapped in between the
 * check and the read.
 */
import { closeSync, constants, fstatSync, openSync, promises as fs, readSync } from 'node:fs';

/** Transcripts: beyond this one cannot be parsed in a JS string anyway. */
export const MAX_SESSION_FILE_BYTES = 256 * 1024 * 1024;
/** Side records, `.index.json`: small by design; generous so a real one is never refused. */
export const MAX_RECORD_FILE_BYTES = 64 * 1024 * 1024;
/** Lock files and small preferences. */
export const MAX_SMALL_FILE_BYTES = 1024 * 1024;

export class NotRegularFileError extends Error {
  /** Like a Node errno code, so callers that sort errors by `code` can tell it apart. */
  readonly code = 'ENOTREGULAR';
  constructor(
    readonly file: string,
    readonly reason: 'not a regular file' | 'too large',
  ) {
    super(`${file}: ${reason}`);
    this.name = 'NotRegularFileError';
  }
}

// O_NONBLOCK does not exist on Windows, where a FIFO cannot sit in a folder either.
const FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** Reads a regular file of at most maxBytes as UTF-8. ENOENT and other I/O errors propagate as they are. */
export async function readRegularFile(file: string, maxBytes: number): Promise<string> {
  const h = await fs.open(file, FLAGS);
  try {
    const st = await h.stat();
    if (!st.isFile()) throw new NotRegularFileError(file, 'not a regular file');
    if (st.size > maxBytes) throw new NotRegularFileError(file, 'too large');
    // Read to the end, not just st.size bytes (it may grow meanwhile), but never beyond the cap.
    const chunks: Buffer[] = [];
    let total = 0;
    for (let want = st.size + 1; ; want = 64 * 1024) {
      const buf = Buffer.allocUnsafe(Math.min(want, maxBytes + 1 - total));
      const { bytesRead } = await h.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > maxBytes) throw new NotRegularFileError(file, 'too large');
      chunks.push(buf.subarray(0, bytesRead));
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } finally {
    await h.close().catch(() => {});
  }
}

/** readRegularFile for places that cannot wait (a process 'exit' listener); for small caps (it allocates maxBytes). */
export function readRegularFileSync(file: string, maxBytes: number): string {
  const fd = openSync(file, FLAGS);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new NotRegularFileError(file, 'not a regular file');
    if (st.size > maxBytes) throw new NotRegularFileError(file, 'too large');
    const buf = Buffer.allocUnsafe(maxBytes + 1);
    let total = 0;
    for (let n = -1; n !== 0 && total < buf.length; total += n) n = readSync(fd, buf, total, buf.length - total, null);
    if (total > maxBytes) throw new NotRegularFileError(file, 'too large');
    return buf.subarray(0, total).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
