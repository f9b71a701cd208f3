import assert from 'node:assert/strict';
import { browserPlatform } from '../../../src/core/browserPlatform';
import { PAGE_RETRY_AFTER_SECONDS, PageConnections } from '../../../src/core/pageConnections';
import { HttpError } from '../../../src/gateway/server/httpError';
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
    assert.ok(pages.receive(id, { type: 'ready' }) instanceof Promise);
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
    void pages.receive(id, { type: 'ready' });
    f.engine.script({ tokens: ['a', 'b'], holdAt: 1 });
    const h = await pages.conversation(id)!.sendMessage('q');
    await f.engine.holding;
    pages.detach(id, s);
    await until(() => pages.size === 0, 'the page to close');
    assert.deepEqual(f.engine.cancelled, [h!.assistantMessage.id]);
  });

  it('keeps at most maxPages: the oldest page that is away and idle makes room', async () => {
    const a = new Stream();
    const b = new Stream();
    const idA = pages.attach(undefined, a);
    const idB = pages.attach(undefined, b);
    pages.detach(idA, a);
    pages.detach(idB, b);
    pages.attach(undefined, new Stream());
    assert.equal(pages.conversation(idA), undefined, 'the oldest away page went');
    assert.ok(pages.conversation(idB), 'the other away page stays');
  });

  it('never closes a connected page for a newcomer: when every page is connected, the newcomer is refused with 503 and Retry-After', async () => {
    const a = new Stream();
    const b = new Stream();
    const idA = pages.attach(undefined, a);
    const idB = pages.attach(undefined, b);
    const refused = (() => {
      try {
        pages.attach(undefined, new Stream());
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    assert.ok(refused instanceof HttpError, String(refused));
    assert.equal(refused.status, 503);
    assert.equal(refused.code, 'too_many_pages');
    assert.equal(refused.headers['Retry-After'], String(PAGE_RETRY_AFTER_SECONDS));
    assert.match(refused.message, /already has 2 pages open.*Close a Hearth tab/);
    assert.deepEqual([a.closed, b.closed, pages.size], [false, false, 2], 'both pages keep their conversations');
    assert.ok(pages.conversation(idA) && pages.conversation(idB));
    // A page that comes back with its id is never refused.
    assert.equal(pages.attach(idA, new Stream()), idA);
  });

  it('never stops a reply in progress for a newcomer, even on a page that is away', async () => {
    const a = new Stream();
    const b = new Stream();
    const idA = pages.attach(undefined, a);
    const idB = pages.attach(undefined, b);
    void pages.receive(idA, { type: 'ready' });
    f.engine.script({ tokens: ['a', 'b'], holdAt: 1 });
    await pages.conversation(idA)!.sendMessage('q');
    await f.engine.holding;
    pages.detach(idA, a);
    assert.throws(() => pages.attach(undefined, new Stream()), (e: unknown) => e instanceof HttpError && e.status === 503);
    assert.deepEqual(f.engine.cancelled, [], 'the reply goes on');
    pages.detach(idB, b);
    pages.attach(undefined, new Stream());
    assert.equal(pages.conversation(idB), undefined, 'the idle away page made room');
    assert.ok(pages.conversation(idA)?.streaming, 'the answering one is still answering');
    f.engine.releaseHold();
  });

  it('a reconnect storm (many more pages than room, reconnecting again and again) creates no conversations beyond the first ones', async () => {
    const opened = () => ids;
    const held: { id: string; s: Stream }[] = [];
    let refusals = 0;
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 10; i++) {
        try {
          const s = new Stream();
          held.push({ id: pages.attach(undefined, s), s });
        } catch {
          refusals++;
        }
      }
    }
    assert.equal(opened(), 2, 'only as many conversations as there is room for');
    assert.equal(refusals, 198);
    assert.ok(held.every((h) => !h.s.closed), 'no live page was churned');
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
