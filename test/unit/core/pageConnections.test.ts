import assert from 'node:assert/strict';
import { browserPlatform } from '../../../src/core/browserPlatform';
import { PageConnections } from '../../../src/core/pageConnections';
import type { UiStream } from '../../../src/gateway/server/deps';
import type { HostToWebview } from '../../../src/shared/protocol';
import { coreFixture, finished, until, type CoreFixture } from './helpers';

class Stream implements UiStream {
  readonly sent: HostToWebview[] = [];
  closed = false;
  send(m: HostToWebview): boolean {
    if (this.closed) return false;
    this.sent.push(m);
    return true;
  }
  close(): void {
    this.closed = true;
  }
}

describe('PageConnections (browser pages of one gateway)', () => {
  let f: CoreFixture;
  let ids: number;
  let pages: PageConnections;
  beforeEach(async () => {
    f = await coreFixture();
    ids = 0;
    pages = new PageConnections(f.hub, { settingsHelp: 'env vars', graceMs: 30, maxPages: 2, newId: () => `c0ffee00-000${++ids}` });
  });
  afterEach(async () => {
    pages.dispose();
    await f.dispose();
  });

  it('gives each page its own conversation and routes its messages to it', async () => {
    const s1 = new Stream();
    const id = pages.attach(undefined, s1);
    assert.equal(id, 'c0ffee00-0001');
    assert.equal(pages.receive(id, { type: 'ready' }), true);
    await until(() => s1.sent.some((m) => m.type === 'snapshot'), 'snapshot');
    assert.equal(pages.receive('unknown-0000', { type: 'ready' }), false);
  });

  it('a page that comes back within the grace time keeps its conversation; the old stream is closed', async () => {
    const s1 = new Stream();
    const id = pages.attach(undefined, s1);
    const c = pages.conversation(id);
    pages.detach(id, s1);
    const s2 = new Stream();
    assert.equal(pages.attach(id, s2), id);
    assert.equal(pages.conversation(id), c);
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(pages.size, 1, 'not closed: it came back');
    const s3 = new Stream();
    pages.attach(id, s3);
    assert.equal(s2.closed, true, 'a second stream for the same page replaces the first');
  });

  it('a page that does not come back is closed, and its reply stopped', async () => {
    const s = new Stream();
    const id = pages.attach(undefined, s);
    pages.receive(id, { type: 'ready' });
    f.engine.script({ tokens: ['a', 'b'], holdAt: 1 });
    const h = await pages.conversation(id)!.sendMessage('q');
    await f.engine.holding;
    pages.detach(id, s);
    await until(() => pages.size === 0, 'the page to close');
    assert.deepEqual(f.engine.cancelled, [h!.assistantMessage.id]);
  });

  it('keeps at most maxPages: a page that is away goes first, else the oldest, whose stream is ended', async () => {
    const a = new Stream();
    const b = new Stream();
    const idA = pages.attach(undefined, a);
    const idB = pages.attach(undefined, b);
    pages.detach(idB, b);
    pages.attach(undefined, new Stream());
    assert.equal(pages.conversation(idB), undefined, 'the away page went');
    assert.ok(pages.conversation(idA));
    pages.attach(undefined, new Stream());
    assert.equal(pages.conversation(idA), undefined);
    assert.equal(a.closed, true, 'its page reconnects and gets a new conversation');
  });
});

describe('browserPlatform (what copy, export and links mean in a browser tab)', () => {
  let f: CoreFixture;
  beforeEach(async () => {
    f = await coreFixture();
  });
  afterEach(() => f.dispose());

  it('asks the page itself to copy, download and open; refuses unsafe links; says what is VS Code only', async () => {
    const got: HostToWebview[] = [];
    const p = browserPlatform({ post: (m) => got.push(m), settingsHelp: 'Set OLLAMA_HOST.' });
    assert.equal(p.editor, false);
    assert.equal(p.titleActions, false, 'a browser tab has no title bar: the page keeps its own New chat / History');
    await p.copy('x');
    await p.openLink('https://example.com/a b');
    await p.openLink('javascript:alert(1)');
    await p.insertCode('y');
    await p.openSettings();
    const page = await f.page(p);
    const h = await page.c.sendMessage('export me');
    await finished(page.sent);
    await p.exportSession((await f.store.get(h!.sessionId))!);
    assert.deepEqual(got[0], { type: 'pageEffect', effect: { kind: 'copy', text: 'x' } });
    assert.deepEqual(got[1], { type: 'pageEffect', effect: { kind: 'openUrl', url: 'https://example.com/a%20b' } });
    assert.ok(got[2]?.type === 'notice' && /only opens http/.test(got[2].message));
    assert.ok(got[3]?.type === 'notice' && /only available inside VS Code/.test(got[3].message));
    assert.deepEqual(got[4], { type: 'notice', level: 'info', message: 'Set OLLAMA_HOST.' });
    const d = got[5];
    assert.ok(d?.type === 'pageEffect' && d.effect.kind === 'download');
    assert.equal(d.effect.fileName, 'export-me.md');
    assert.match(d.effect.text, /## You\n\nexport me/);
  });
});
