import assert from 'node:assert/strict';
import { ModelState, SELECTED_MODEL_KEY } from '../../../src/core/models';
import { PullRunner } from '../../../src/core/pulls';
import type { HostToWebview } from '../../../src/shared/protocol';
import { FakeEngine } from '../../support/fakeEngine';
import { MemoryMemento } from '../../support/memento';

describe('ModelState', () => {
  let engine: FakeEngine;
  let memento: MemoryMemento;
  let configured: string;
  let written: string[];
  let state: ModelState;
  let calls: number;
  beforeEach(() => {
    engine = new FakeEngine();
    memento = new MemoryMemento();
    configured = '';
    written = [];
    calls = 0;
    state = new ModelState({
      source: () => {
        calls++;
        return engine;
      },
      memento,
      configuredModel: () => configured,
      writeConfiguredModel: async (n) => {
        written.push(n);
        configured = n;
      },
      baseUrl: () => 'http://127.0.0.1:9',
      pollMs: 0,
    });
  });
  afterEach(() => state.dispose());

  it('asks the server only when asked (lazy), once for concurrent checks', async () => {
    assert.equal(calls, 0);
    assert.equal(state.connection.status, 'unknown');
    await Promise.all([state.ensureChecked(), state.ensureChecked(), state.ensureChecked()]);
    assert.equal(calls, 1);
    assert.deepEqual(state.connection, { status: 'ok', url: 'http://127.0.0.1:9', version: '0.0.0-fake' });
    assert.deepEqual(state.models.map((m) => m.name), ['fake-a', 'fake-b']);
    await state.ensureChecked();
    assert.equal(calls, 1);
  });

  it('a refresh asked while another runs sees the server as it is after the ask, not as the running one read it', async () => {
    // The running refresh reads the list, then is held (its health check answered late).
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const health = engine.health.bind(engine);
    let first = true;
    engine.health = async () => {
      const h = await health();
      if (first) {
        first = false;
        await held;
      }
      return h;
    };
    const listed: string[][] = [];
    const list = engine.listModels.bind(engine);
    engine.listModels = async () => {
      const m = await list();
      listed.push(m.map((x) => x.name));
      return m;
    };
    const running = state.refresh();
    await new Promise((r) => setImmediate(r));
    // A model appears, and a picker opens (its refresh joins while the first still runs)…
    engine.models = [...engine.models, { name: 'pulled-meanwhile', size: 1 }];
    const a = state.refresh();
    const b = state.refresh();
    release();
    await Promise.all([running, a, b]);
    // …and sees it: one more ask after the running one, shared by both late callers.
    assert.deepEqual(state.models.map((m) => m.name), ['fake-a', 'fake-b', 'pulled-meanwhile']);
    assert.equal(calls, 2, 'one ask for the running refresh, one for both late ones');
    assert.equal(listed.length, 2);
  });

  it('selection: the setting, else the remembered choice, else the first model', async () => {
    await state.refresh();
    assert.equal(state.selected, 'fake-a');
    await state.select('fake-b');
    assert.equal(memento.get(SELECTED_MODEL_KEY), 'fake-b');
    assert.equal(state.selected, 'fake-b');
    assert.deepEqual(written, [], 'the setting is not written when it is empty');
    configured = 'from-setting';
    assert.equal(state.selected, 'from-setting');
    await state.select('fake-a');
    assert.deepEqual(written, ['fake-a'], 'a set hearth.model follows the pick');
    assert.equal(state.selected, 'fake-a');
  });

  it('reports an unreachable server with its URL, and fires changes', async () => {
    const changes: string[] = [];
    state.onDidChange.on((c) => changes.push(c.connection.status));
    engine.reachable = false;
    await state.refresh();
    assert.equal(state.connection.status, 'unreachable');
    assert.equal(state.connection.url, 'http://127.0.0.1:9');
    engine.reachable = true;
    state.reset(); // asks again by itself
    await state.ensureChecked();
    assert.deepEqual(changes, ['unreachable', 'unknown', 'ok']);
  });
});

describe('ModelState shows the server URL without its credentials', () => {
  it('a proxy password in the URL never reaches a page or the status bar', async () => {
    const engine = new FakeEngine();
    const state = new ModelState({ source: () => engine, memento: new MemoryMemento(), configuredModel: () => '', baseUrl: () => 'http://alice:s3cret@127.0.0.1:11434', pollMs: 0 });
    const seen: string[] = [state.connection.url];
    state.onDidChange.on((c) => seen.push(c.connection.url));
    await state.refresh();
    engine.reachable = false;
    await state.refresh();
    state.markUnreachable('gone');
    assert.ok(seen.length >= 3);
    for (const u of seen) assert.ok(!u.includes('s3cret') && !u.includes('alice'), u);
    state.dispose();
  });
});

describe('ModelState while the server is unreachable', () => {
  it('asks again now and then until it answers, then stops asking', async () => {
    const engine = new FakeEngine();
    engine.reachable = false;
    let asked = 0;
    const state = new ModelState({
      source: () => {
        asked++;
        return engine;
      },
      memento: new MemoryMemento(),
      configuredModel: () => '',
      baseUrl: () => 'http://127.0.0.1:9',
      pollMs: 20,
    });
    try {
      assert.equal(asked, 0, 'never before the first check');
      await new Promise((r) => setTimeout(r, 60));
      assert.equal(asked, 0, 'no polling before anything asked');
      await state.refresh();
      assert.equal(state.connection.status, 'unreachable');
      const changed = new Promise<void>((resolve) => state.onDidChange.on((c) => c.connection.status === 'ok' && resolve()));
      engine.reachable = true;
      await changed;
      const after = asked;
      await new Promise((r) => setTimeout(r, 80));
      assert.equal(asked, after, 'no more polling once reachable');
    } finally {
      state.dispose();
    }
  });

  it('a disposed state stops polling', async () => {
    const engine = new FakeEngine();
    engine.reachable = false;
    let asked = 0;
    const state = new ModelState({ source: () => (asked++, engine), memento: new MemoryMemento(), configuredModel: () => '', baseUrl: () => 'u', pollMs: 10 });
    await state.refresh();
    state.dispose();
    const n = asked;
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(asked, n);
  });
});

describe('PullRunner', () => {
  it('posts progress and done, refreshes afterwards, and cancels', async () => {
    const engine = new FakeEngine();
    const posted: HostToWebview[] = [];
    let pulled = 0;
    const r = new PullRunner(() => engine, (m) => posted.push(m), () => pulled++);
    await r.pull('new-model');
    assert.deepEqual(posted.map((m) => m.type), ['pullProgress', 'pullProgress', 'pullDone']);
    assert.deepEqual(posted.at(-1), { type: 'pullDone', model: 'new-model' });
    assert.equal(pulled, 1);
    assert.equal(r.cancel(), false);
    let release!: () => void;
    const slow = { pull: (_m: string, _p: unknown, signal?: AbortSignal) => new Promise<void>((_, reject) => { release = () => reject(new Error('x')); signal?.addEventListener('abort', () => reject(new Error('aborted'))); }) };
    const r2 = new PullRunner(() => slow, (m) => posted.push(m), () => pulled++);
    const p = r2.pull('other');
    assert.equal(r2.pulling, 'other');
    assert.equal(r2.cancel(), true);
    await p;
    assert.deepEqual(posted.at(-1), { type: 'pullDone', model: 'other', error: 'Cancelled.' });
    void release;
  });
});
