/**
 * Files the user picks or drops in the browser UI, read in the page and sent as
 * `file` attachments of the question. The rules are the extension's (size cap,
 * no binaries), from src/shared/contextRules.ts; a refused file is named with
 * the reason and nothing else is lost.
 */
import { decodeText, languageForFileName, sizeRefusal } from '../../src/shared/contextRules';
import type { Attachment } from '../../src/shared/session';

export interface ReadFiles {
  attachments: Attachment[];
  /** One sentence per file that was refused. */
  errors: string[];
}

export async function readLocalFiles(files: readonly File[], maxKB: number): Promise<ReadFiles> {
  const out: ReadFiles = { attachments: [], errors: [] };
  for (const f of files) {
    // Checked before reading: a huge file is never loaded into the page.
    const big = sizeRefusal(f.name, f.size, maxKB);
    if (big && !big.ok) {
      out.errors.push(big.message);
      continue;
    }
    let bytes: Uint8Array;
    try {
      // The bytes, not File.text(): telling binary from text needs them (text() would decode a PNG into noise).
      bytes = new Uint8Array(await f.arrayBuffer());
    } catch (e) {
      out.errors.push(`${f.name} could not be read: ${e instanceof Error ? e.message : 'unknown error'}.`);
      continue;
    }
    const r = decodeText(f.name, bytes, maxKB);
    if (!r.ok) {
      out.errors.push(r.message);
      continue;
    }
    const language = languageForFileName(f.name);
    out.attachments.push({ kind: 'file', name: (f.name || 'file').slice(0, 500), ...(language ? { language } : {}), content: r.text });
  }
  return out;
}
