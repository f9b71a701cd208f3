import assert from 'node:assert/strict';
import { locate, realPathRefusal, realPathVerdict, relativeInside, type FolderPaths } from '../../../src/shared/realPathRule';

const ws: FolderPaths[] = [{ path: '/home/u/proj', realPath: '/home/u/proj' }];
const never = () => false;

describe('the real-path rule', () => {
  it('a plain file inside the workspace passes, unlinked', () => {
    assert.deepEqual(realPathVerdict('/home/u/proj/src/a.ts', '/home/u/proj/src/a.ts', ws, never), { ok: true, linked: false, located: { folder: 0, rel: 'src/a.ts' } });
  });

  it('a link inside the workspace to a file outside it is refused (notes.md -> ~/.ssh/id_rsa)', () => {
    assert.deepEqual(realPathVerdict('/home/u/proj/notes.md', '/home/u/.ssh/id_rsa', ws, never), { ok: false, reason: 'outside' });
  });

  it('a file under a linked folder whose target is outside is refused', () => {
    assert.deepEqual(realPathVerdict('/home/u/proj/vendor/keys/a.txt', '/etc/keys/a.txt', ws, never), { ok: false, reason: 'outside' });
  });

  it('a link to a neighbouring folder that only shares a prefix is outside (/home/u/proj2)', () => {
    assert.deepEqual(realPathVerdict('/home/u/proj/x', '/home/u/proj2/x', ws, never), { ok: false, reason: 'outside' });
  });

  it('a link that stays inside passes, and its real path must pass the exclusions too', () => {
    const excluded = (rel: string) => rel === 'secrets/id_ed25519';
    assert.deepEqual(realPathVerdict('/home/u/proj/docs/readme.md', '/home/u/proj/README.md', ws, excluded), { ok: true, linked: true, located: { folder: 0, rel: 'README.md' } });
    assert.deepEqual(realPathVerdict('/home/u/proj/notes.md', '/home/u/proj/secrets/id_ed25519', ws, excluded), { ok: false, reason: 'excluded' });
  });

  it('an unlinked file is left to the caller’s lexical exclusion check (which sees the same path)', () => {
    const seen: string[] = [];
    const r = realPathVerdict('/home/u/proj/.env', '/home/u/proj/.env', ws, (rel) => (seen.push(rel), true));
    assert.deepEqual([r.ok, seen], [true, []]);
  });

  it('a workspace folder that is itself reached through a link (/tmp -> /private/tmp) is not a link for its files', () => {
    const mac: FolderPaths[] = [{ path: '/tmp/ws', realPath: '/private/tmp/ws' }];
    assert.deepEqual(realPathVerdict('/tmp/ws/a.ts', '/private/tmp/ws/a.ts', mac, never), { ok: true, linked: false, located: { folder: 0, rel: 'a.ts' } });
    assert.deepEqual(realPathVerdict('/tmp/ws/a.ts', '/tmp/ws/a.ts', mac, never), { ok: false, reason: 'outside' }, 'the lexical folder is not where files really are');
  });

  it('a link into another workspace folder passes (multi-root), judged under that folder', () => {
    const two: FolderPaths[] = [...ws, { path: '/srv/lib', realPath: '/srv/lib' }];
    const folders: number[] = [];
    const r = realPathVerdict('/home/u/proj/lib.ts', '/srv/lib/index.ts', two, (_rel, f) => (folders.push(f), false));
    assert.deepEqual(r, { ok: true, linked: true, located: { folder: 1, rel: 'index.ts' } });
    assert.deepEqual(folders, [1]);
  });

  it('a link the platform cannot resolve is refused', () => {
    assert.deepEqual(realPathVerdict('/home/u/proj/notes.md', undefined, ws, never), { ok: false, reason: 'unresolved' });
  });

  it('outside every folder: allowed as chosen, but a link answers for its target’s name', () => {
    const keys = (rel: string) => /(^|\/)id_rsa/.test(rel);
    assert.deepEqual(realPathVerdict('/etc/hosts', '/etc/hosts', ws, keys), { ok: true, linked: false });
    assert.deepEqual(realPathVerdict('/home/u/notes', '/home/u/.ssh/id_rsa', ws, keys), { ok: false, reason: 'excluded' });
  });

  it('Windows paths compare case-insensitively and with either slash', () => {
    const win: FolderPaths[] = [{ path: '/c:/Work/proj', realPath: '/C:/work/Proj' }];
    assert.deepEqual(realPathVerdict('/c:/Work/proj/a.ts', '/C:/work/Proj/a.ts', win, never), { ok: true, linked: false, located: { folder: 0, rel: 'a.ts' } });
    assert.equal(relativeInside('C:\\Work\\proj\\src\\a.ts', 'c:/work/proj'), 'src/a.ts');
  });

  it('relativeInside refuses the folder itself, `..` segments and prefixes; locate picks the innermost folder', () => {
    assert.equal(relativeInside('/a/b', '/a/b'), undefined);
    assert.equal(relativeInside('/a/b/../c', '/a/b'), undefined);
    assert.equal(relativeInside('/a/bc/d', '/a/b'), undefined);
    assert.equal(relativeInside('/a/b/c/', '/a/b/'), 'c');
    assert.deepEqual(locate('/a/b/c/d.ts', ['/a', '/a/b/c', '/a/b']), { folder: 1, rel: 'd.ts' });
  });

  it('each refusal is a sentence naming the file', () => {
    for (const reason of ['outside', 'excluded', 'unresolved'] as const) assert.match(realPathRefusal('notes.md', reason), /^notes\.md .+\.$/);
  });
});
