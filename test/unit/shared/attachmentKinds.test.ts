/** The attachment-kind registry: every kind described once, old sessions still load, unknown kinds still refused. */
import assert from 'node:assert/strict';
import { questionTargets } from '../../../src/core/apply/target';
import { ATTACHMENT_KINDS, attachmentKind, MENTIONS } from '../../../src/shared/attachmentKinds';
import { attachmentHeading } from '../../../src/shared/attachments';
import { contextCandidateSchema } from '../../../src/shared/protocol';
import { attachmentSchema, sessionSchema, type Attachment } from '../../../src/shared/session';

describe('attachment kinds: one descriptor each', () => {
  it('every kind has a complete descriptor (heading, title, icon, Apply, re-read, identity)', () => {
    for (const k of ATTACHMENT_KINDS) {
      const d = attachmentKind(k);
      assert.ok(d.heading && d.title, k);
      assert.match(d.codicon, /^[a-z][a-z0-9-]*$/, `${k}: a codicon name`);
      assert.ok(['code', 'lines', 'none'].includes(d.apply), k);
      assert.ok(['atSend', 'asCaptured'].includes(d.reread), k);
      assert.ok(['place', 'placeAndContent', 'name'].includes(d.identity), k);
    }
    assert.equal(new Set(MENTIONS).size, MENTIONS.length, 'mention words are unique');
    assert.deepEqual(MENTIONS, ['problems', 'selection', 'codebase', 'diff']);
  });

  it('keeps the kind strings sessions were stored with, and refuses kinds it does not know', () => {
    for (const kind of ['file', 'selection', 'problems']) assert.ok(attachmentSchema.safeParse({ kind, name: 'a', content: 'x' }).success, kind);
    const stored = { id: 'sess-0001', title: 't', created_at: 1, updated_at: 1, messages: [{ id: 'msg-00001', role: 'user', content: 'q', status: 'complete', created_at: 1, attachments: [{ kind: 'problems', name: 'workspace', content: 'none' }] }] };
    assert.ok(sessionSchema.safeParse(stored).success);
    assert.equal(attachmentSchema.safeParse({ kind: 'git-diff', name: 'a', content: 'x' }).success, false);
    assert.equal(contextCandidateSchema.safeParse({ id: 'o1', kind: 'nope', label: 'x' }).success, false);
    assert.ok(attachmentSchema.safeParse({ kind: 'diff', name: 'proj', language: 'diff', content: 'diff --git a/x b/x\n' }).success);
  });

  it('a codebase snippet is one kind on both sides: the gateway\'s old `codebase` snippets (with lines) load as `snippet`, the @codebase chip stays, and neither is an Apply target', () => {
    const legacy = { kind: 'codebase', name: 'src/server.ts:1-3', path: 'src/server.ts', range: { startLine: 1, endLine: 3 }, language: 'typescript', content: 'export function notFoundHandler() {}\n' };
    const stored = { id: 'sess-0002', title: 't', created_at: 1, updated_at: 1, messages: [{ id: 'msg-00001', role: 'user', content: 'q', status: 'complete', created_at: 1, attachments: [legacy, { kind: 'codebase', name: '@codebase', content: 'Searched 3 files: nothing matched the question.' }] }] };
    const parsed = sessionSchema.parse(stored);
    const [snippet, chip] = parsed.messages[0]!.attachments!;
    assert.deepEqual(snippet, { ...legacy, kind: 'snippet' });
    assert.equal(chip!.kind, 'codebase');
    assert.equal(attachmentHeading(snippet!), 'Snippet from `src/server.ts` (typescript, lines 1-3)');
    assert.deepEqual(questionTargets([snippet!, chip!]), []);
  });

  it('Apply follows the descriptor: code kinds are targets with their text, lines kinds by their range only, the rest never', () => {
    const base = { name: 'a.ts', path: 'src/a.ts', uri: 'file:///ws/src/a.ts', range: { startLine: 2, endLine: 3 }, content: 'x\ny\n' };
    for (const kind of ATTACHMENT_KINDS) {
      const targets = questionTargets([{ ...base, kind } as Attachment]);
      const apply = attachmentKind(kind).apply;
      assert.equal(targets.length, apply === 'none' ? 0 : 1, kind);
      if (apply === 'code') assert.equal(targets[0]!.expected, base.content, kind);
      if (apply === 'lines') assert.equal(targets[0]!.expected, undefined, kind);
    }
  });

  it('the model reads each kind under its own heading', () => {
    const headings = ATTACHMENT_KINDS.map((kind) => attachmentHeading({ kind, name: 'n', content: '' }));
    assert.deepEqual(headings, ['File `n`', 'Problems in `n`', 'Selection from `n`', 'Codebase search `n`', 'Snippet from `n`', 'Uncommitted changes in `n`']);
  });
});
