/**
 * Pruning never deletes silently: 520 `POST /chat/message` on the
 * real gateway with the default limit of 500 sessions. The 20 oldest go to
 * <dataDir>/trash/ (whole, readable), each named in a log line; 500 are listed.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { sessionSchema } from '../../src/shared/session';
import { startOllamaDouble, type OllamaDouble } from '../double';
import { tempDir } from '../unit/chat/helpers';
import { request } from '../unit/server/httpClient';
import { spawnGateway, type GatewayProcess } from '../unit/server/spawnGateway';

const TOKEN = 'pruning-test-token-0123456789';
const POSTS = 520;
const LIMIT = 500;

describe('pruning on the standalone gateway', function () {
  this.timeout(300_000);
  let dir: string;
  let double: OllamaDouble;
  let g: GatewayProcess | undefined;

  before(async () => {
    dir = await tempDir('hearth-prune-');
    double = await startOllamaDouble({ models: ['m1'] });
  });
  after(async () => {
    await g?.kill('SIGKILL');
    await double.stop();
    await fs.rm(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  it(`${POSTS} POST /chat/message with HEARTH_MAX_SESSIONS=${LIMIT}: the oldest go to the trash, each logged`, async () => {
    g = spawnGateway({ HEARTH_DATA_DIR: dir, OLLAMA_HOST: double.url, HEARTH_GATEWAY_TOKEN: TOKEN, HEARTH_MAX_SESSIONS: String(LIMIT) });
    const port = await g.ready;
    const created: string[] = [];
    const t0 = performance.now();
    for (let i = 0; i < POSTS; i++) {
      const r = await request(port, { method: 'POST', path: '/chat/message', token: TOKEN, body: { model: 'm1', content: `question ${i}` } });
      assert.equal(r.status, 201, r.text);
      created.push(r.json.session_id);
    }
    const ms = performance.now() - t0;
    const list = await request(port, { path: '/sessions', token: TOKEN });
    assert.equal(list.json.sessions.length, LIMIT);
    const pruned = created.slice(0, POSTS - LIMIT);
    const trash = (await fs.readdir(path.join(dir, 'trash'))).sort();
    assert.deepEqual(trash, pruned.map((id) => `${id}.json`).sort());
    for (const name of trash) {
      const s = sessionSchema.parse(JSON.parse(await fs.readFile(path.join(dir, 'trash', name), 'utf8')));
      assert.match(s.messages[0]!.content, /^question \d+$/);
    }
    // Pruning runs beside the creates, so one line may name a few sessions: every pruned one is named, once.
    const lines = g.stderr().split('\n').filter((l) => /pruned \d+ sessions? beyond the limit of 500/.test(l));
    const named = lines.flatMap((l) => l.slice(l.lastIndexOf(': ') + 2).split(' '));
    assert.deepEqual(named.sort(), [...pruned].sort(), g.stderr().slice(-2000));
    assert.match(lines[0]!, /moved to .*trash, kept 30 days/);
    console.log(`      pruning: ${POSTS} POST /chat/message in ${(ms / 1000).toFixed(1)} s; ${list.json.sessions.length} listed, ${trash.length} in trash/, ${lines.length} log lines`);
    console.log(`      pruning: e.g. ${lines[0]!.replace(dir, '<dataDir>')}`);
  });
});
