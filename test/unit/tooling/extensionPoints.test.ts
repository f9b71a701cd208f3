/**
 * The shape of the extension points: a context source is a descriptor row in
 * src/shared/attachmentKinds.ts plus its file in src/extension/context/sources/
 * and one line in that folder's index; a code-block action is a descriptor in
 * src/shared/codeBlockActions.ts plus its handler. Nothing else switches over
 * kinds: a per-kind branch anywhere else fails here.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ATTACHMENT_KINDS } from '../../../src/shared/attachmentKinds';

const ROOT = path.resolve(__dirname, '../../..');
const SOURCES_DIR = 'src/extension/context/sources';

async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) out.push(...(await files(rel)));
    else if (/\.tsx?$/.test(e.name)) out.push(rel);
  }
  return out;
}

const read = (rel: string) => fs.readFile(path.join(ROOT, rel), 'utf8');
/** Code without its comments, so a comment naming a kind is no branch. */
const code = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');

describe('extension points: one file plus one line', () => {
  it('every attachment kind has its source registered on one line, and every source file is registered', async () => {
    const index = await read(`${SOURCES_DIR}/index.ts`);
    for (const k of ATTACHMENT_KINDS) assert.match(index, new RegExp(`^  ${k}: \\(d\\) => new \\w+\\(d\\),$`, 'm'), `${k} has no line in ${SOURCES_DIR}/index.ts`);
    const sourceFiles = (await fs.readdir(path.join(ROOT, SOURCES_DIR))).filter((f) => f.endsWith('.ts') && !['index.ts', 'deps.ts'].includes(f));
    for (const f of sourceFiles) assert.ok(index.includes(`from './${f.replace(/\.ts$/, '')}'`), `${f} is not registered`);
  });

  it('no per-kind branch outside the registry: the page, the core and the shared rules read descriptors', async () => {
    const kinds = ATTACHMENT_KINDS.join('|');
    const branch = new RegExp(`\\.kind\\s*[!=]==?\\s*'(${kinds})'|case\\s+'(${kinds})'\\s*:|Record<\\s*(AttachmentKind|ContextCandidate\\['kind'\\])`);
    const scanned = [...(await files('webview')), ...(await files('src/shared')), ...(await files('src/core')), 'src/extension/context/workspaceContext.ts'].filter(
      (f) => f !== 'src/shared/attachmentKinds.ts',
    );
    const hits: string[] = [];
    for (const f of scanned) {
      const text = await read(f);
      // Only files that deal with attachments: Apply's own regions and block shapes have kinds of their own.
      if (!/\b(Attachment|AttachmentKind|ContextCandidate)\b/.test(text)) continue;
      code(text)
        .split('\n')
        .forEach((line, i) => {
          if (branch.test(line)) hits.push(`${f}:${i + 1}: ${line.trim()}`);
        });
    }
    assert.deepEqual(hits, []);
  });

  it('code-block buttons are drawn from their descriptors, never written out one by one', async () => {
    const block = code(await read('webview/components/CodeBlock.tsx'));
    assert.doesNotMatch(block, /<IconButton[^>]*\bicon="/, 'an IconButton with a literal icon: make it a descriptor in src/shared/codeBlockActions.ts');
    assert.match(block, /codeBlockActions\(/);
  });

  it('the check above finds a per-kind branch when there is one', () => {
    const kinds = ATTACHMENT_KINDS.join('|');
    const branch = new RegExp(`\\.kind\\s*[!=]==?\\s*'(${kinds})'|case\\s+'(${kinds})'\\s*:|Record<\\s*(AttachmentKind|ContextCandidate\\['kind'\\])`);
    for (const bad of ["if (a.kind === 'problems') x();", "  case 'diff':", 'const ICONS: Record<AttachmentKind, string> = {};', "const I: Record<ContextCandidate['kind'], string> = {};"]) assert.ok(branch.test(bad), bad);
    for (const ok of ["const a = { kind: 'file' };", "if (region.kind === 'whole') x();", 'attachmentKind(a.kind).codicon']) assert.ok(!branch.test(ok), ok);
  });
});
