/** Chips and the @ picker draw each kind from its descriptor (shared/attachmentKinds.ts), and chips of a kind merge by its rule. */
import assert from 'node:assert/strict';
import { cleanup, render } from '@testing-library/preact';
import { ATTACHMENT_KINDS, attachmentKind, type AttachmentKind } from '../../src/shared/attachmentKinds';
import type { Attachment } from '../../src/shared/session';
import { AttachmentChip, AttachmentList } from '../../webview/components/Attachments';
import { MentionPicker } from '../../webview/components/MentionPicker';
import { mergeAttachments } from '../../webview/state/reducer';

const att = (kind: AttachmentKind, over: Partial<Attachment> = {}): Attachment => ({ kind, name: `${kind}-name`, content: 'x\n', ...over });
const DIFF = att('diff', { name: 'proj', language: 'diff', content: 'diff --git a/a.ts b/a.ts\n' });

describe('attachment kinds in the page', () => {
  afterEach(cleanup);

  it('a chip of every kind shows its descriptor’s icon, and its tooltip says what it is', () => {
    for (const kind of ATTACHMENT_KINDS) {
      const r = render(<AttachmentChip attachment={att(kind)} />);
      const d = attachmentKind(kind);
      assert.ok(r.container.querySelector(`.chip .codicon-${d.codicon}`), `${kind}: codicon-${d.codicon}`);
      assert.ok(r.container.querySelector('.chip')!.getAttribute('title')!.startsWith(`${d.title} · `), kind);
      cleanup();
    }
    const diff = render(<AttachmentChip attachment={DIFF} />);
    assert.ok(diff.container.querySelector('.codicon-git-compare'));
    assert.equal(diff.container.querySelector('.chip')!.getAttribute('title'), 'Uncommitted changes (git diff) · proj');
  });

  it('the @ picker shows each row with its kind’s icon and hints at every @ word, @diff included', () => {
    const items = ATTACHMENT_KINDS.map((kind, i) => ({ id: `c${i}`, kind, label: `${kind} row` }));
    const r = render(<MentionPicker items={items} active={0} onPick={() => {}} onHover={() => {}} />);
    const icons = [...r.container.querySelectorAll('[role="option"] .codicon')].map((e) => e.className);
    assert.deepEqual(icons, ATTACHMENT_KINDS.map((k) => `codicon codicon-${attachmentKind(k).codicon}`));
    assert.match(r.container.querySelector('.mention-hint')!.textContent!, /@problems · @selection · @codebase · @diff$/);
  });

  it('"no Git repository" is said on the @diff row itself', () => {
    const r = render(<MentionPicker items={[{ id: 'o1', kind: 'diff', label: 'Uncommitted changes', description: 'No Git repository in this workspace.' }]} active={0} onPick={() => {}} onHover={() => {}} />);
    assert.equal(r.container.querySelector('.mention-description')!.textContent, 'No Git repository in this workspace.');
    assert.ok(r.container.querySelector('.codicon-git-compare'));
  });

  it('a diff chip has no file to open: it is not a button in the transcript', () => {
    const r = render(<AttachmentList attachments={[DIFF, att('file', { uri: 'file:///ws/a.ts' })]} onOpen={() => {}} />);
    assert.deepEqual([...r.container.querySelectorAll('button.chip-open')].map((b) => b.getAttribute('aria-label')), ['Open file-name']);
  });

  it('chips merge by their kind’s rule: one diff chip per repository (the newer wins), problems of different text stay apart', () => {
    const newer = { ...DIFF, content: 'diff --git a/b.ts b/b.ts\n' };
    assert.deepEqual(mergeAttachments([DIFF], [newer]), [newer]);
    assert.equal(mergeAttachments([DIFF], [{ ...DIFF, name: 'other' }]).length, 2);
    const p = att('problems', { uri: 'file:///ws/a.ts', range: { startLine: 1, endLine: 1 }, content: 'error one' });
    assert.equal(mergeAttachments([p], [{ ...p, content: 'error two' }]).length, 2);
    const f = att('file', { uri: 'file:///ws/a.ts', content: 'old' });
    assert.deepEqual(mergeAttachments([f], [{ ...f, content: 'new' }]), [{ ...f, content: 'new' }]);
  });
});
