/**
 * Opening the history with 1,000 stored sessions: store.list() (the file
 * store's `.index.json` + one stat per session) and building the webview
 * snapshot. Target: < 100 ms to open; the store writes nothing to globalState.
 * Run: npm run bench -- extension
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ConversationHub } from '../src/core/hub';
import { inertPlatform } from '../test/support/platform';
import { ModelState } from '../src/core/models';
import { ExtensionSessionStore } from '../src/extension/sessions/extensionSessionStore';
import { MemoryMemento } from '../test/support/memento';
import type { ChatService } from '../src/gateway/chat/types';

const SESSIONS = 1000;
const RUNS = 20;


function stats(xs: number[]): { median: number; p95: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, p95: s[Math.floor(s.length * 0.95)]!, max: s.at(-1)! };
}

async function main(): Promise<void> {
  const dir = await fs.mkdtemp(path.join(tmpdir(), 'hearth-bench-ext-'));
  try {
    const memento = new MemoryMemento();
    const workspaces = Array.from({ length: 5 }, (_, i) => `file:///home/user/projects/project-number-${i}`);
    const models = ['bench-model-a:latest', 'bench-model-b:13b-instruct-q4_K_M', 'bench-model-c:7b'];
    let clock = 1_700_000_000_000;
    const seedStart = performance.now();
    for (let i = 0; i < SESSIONS; i++) {
      const ws = workspaces[i % workspaces.length]!;
      const store = new ExtensionSessionStore({ memento, dir, workspace: ws, maxSessions: () => 10_000, fsync: false, now: () => clock++ });
      const s = await store.create({ model: models[i % models.length]! });
      const q = `Question number ${i}: how do I make the build of this project faster when the cache is cold and the disk is slow?`;
      await store.appendMessage(s.id, { id: `u-${s.id}`, role: 'user', content: q, status: 'complete', created_at: clock });
      await store.appendMessage(s.id, { id: `a-${s.id}`, role: 'assistant', content: 'An answer '.repeat(200), status: 'complete', created_at: clock });
      store.dispose();
    }
    const seedMs = performance.now() - seedStart;

    // VS Code rewrites an extension's whole global state on each update: the store must not add to it.
    const globalStateWrites = memento.updates;

    // A window opening the history: a fresh store (no caches), then repeated opens.
    const store = new ExtensionSessionStore({ memento, dir, workspace: workspaces[2], maxSessions: () => 10_000 });
    const modelState = new ModelState({
      source: () => ({ listModels: async () => [], health: async () => ({ reachable: true }) }),
      memento,
      configuredModel: () => '',
      baseUrl: () => 'http://127.0.0.1:11434',
    });
    const hub = new ConversationHub({
      store,
      chat: async () => ({}) as ChatService,
      models: modelState,
      puller: () => ({ pull: async () => {} }),
      canPull: () => true,
      ready: async () => {},
      prepare: async () => {},
      prefs: memento,
      log: () => {},
    });
    const conversation = hub.open(inertPlatform({ workspace: workspaces[2] }), () => {});
    const open = async () => {
      const t0 = performance.now();
      const snap = (await conversation.prepareSnapshot())();
      const bytes = JSON.stringify({ type: 'snapshot', state: snap }).length; // what postMessage serializes
      const ms = performance.now() - t0;
      if (snap.sessions.length !== SESSIONS) throw new Error(`listed ${snap.sessions.length} sessions`);
      if (snap.sessions[0]!.workspace !== workspaces[2]) throw new Error('current workspace not first');
      return { ms, bytes };
    };
    const first = await open();
    const times: number[] = [];
    let snapshotBytes = 0;
    for (let i = 0; i < RUNS; i++) {
      const r = await open();
      times.push(r.ms);
      snapshotBytes = r.bytes;
    }
    const s = stats(times);

    // What a question costs the store: the message durable (journal, fsync on).
    const target = (await store.list())[0]!.id;
    const writes: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      await store.appendMessage(target, { id: `extra-${i}-0000`, role: 'user', content: 'one more question', status: 'complete', created_at: Date.now() });
      writes.push(performance.now() - t0);
    }
    const w = stats(writes);

    console.log(`sessions stored:                ${SESSIONS} (seeded in ${(seedMs / 1000).toFixed(1)} s)`);
    console.log(`globalState writes by the store: ${globalStateWrites}  (target 0) ${globalStateWrites === 0 ? 'OK' : 'OVER'}`);
    console.log(`open history, first (cold):     ${first.ms.toFixed(1)} ms  (target < 100 ms) ${first.ms < 100 ? 'OK' : 'OVER'}`);
    console.log(`open history, warm (${RUNS} runs):   median ${s.median.toFixed(1)} ms, p95 ${s.p95.toFixed(1)} ms, max ${s.max.toFixed(1)} ms`);
    console.log(`snapshot message size:          ${(snapshotBytes / 1024).toFixed(1)} KB`);
    console.log(`append a message (fsync on):    median ${w.median.toFixed(1)} ms, p95 ${w.p95.toFixed(1)} ms (journal write)`);
    if (globalStateWrites !== 0 || first.ms >= 100) process.exitCode = 1;
  } finally {
    await fs.rm(dir, { recursive: true, force: true, maxRetries: 5 });
  }
}

void main();
