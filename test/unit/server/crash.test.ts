import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { sessionSchema } from '../../../src/shared/session';
import { startOllamaDouble, type OllamaDouble } from '../../double';
import { tempDir, until } from '../chat/helpers';
import { request, sse } from './httpClient';
import { spawnGateway, type GatewayProcess } from './spawnGateway';

const TOKEN = 'crash-test-token';

describe('crash safety: SIGKILL mid-turn, then restart on the same data', function () {
  this.timeout(90_000);
  let dir: string;
  let double: OllamaDouble;
  const procs: GatewayProcess[] = [];

  before(async () => {
    dir = await tempDir('hearth-crash-');
    double = await startOllamaDouble({ models: ['m1'] });
  });
  after(async () => {
    for (const p of procs) await p.kill('SIGKILL');
    await double.stop();
    await fs.rm(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  it('the turn is interrupted, the question and the partial reply are kept, the file is valid JSON', async () => {
    const tokens = Array.from({ length: 1000 }, (_, i) => `word${i} `);
    double.enqueue({ tokens, tokenDelayMs: 25 });
    const env = { HEARTH_DATA_DIR: dir, OLLAMA_HOST: double.url, HEARTH_GATEWAY_TOKEN: TOKEN };
    const first = spawnGateway(env);
    procs.push(first);
    const port = await first.ready;
    const c = sse(port, { method: 'POST', path: '/chat/stream', token: TOKEN, body: { model: 'm1', content: 'Tell me a long story' } });
    await c.waitFor(() => c.events.length > 0, 'the first event');
    const sid: string = c.events[0]!.json.session_id;
    const file = path.join(dir, `${sid}.json`);
    // Wait until a partial flush reached the disk, so there is partial text to keep.
    // Partial saves go to live/<id>.json (their cost must not grow with the session); the final write folds them in.
    const liveFile = path.join(dir, 'live', `${sid}.json`);
    await until(async () => {
      const live = JSON.parse(await fs.readFile(liveFile, 'utf8').catch(() => '{}'));
      return live.partial?.content?.length > 0;
    }, 'a partial reply on disk', 30_000);
    assert.equal(await first.kill('SIGKILL'), -1);
    await c.finished;
    const streamed = c.tokens();

    // On disk right after the kill: whole, valid JSON with the turn still "streaming".
    const raw = JSON.parse(await fs.readFile(file, 'utf8'));
    const onDisk = sessionSchema.parse(raw);
    assert.equal(onDisk.messages[1]!.status, 'streaming');
    assert.ok(JSON.parse(await fs.readFile(liveFile, 'utf8')).partial.content.length > 0, 'the partial reply file is whole, valid JSON');
    const leftovers = (await fs.readdir(dir)).filter((n) => n.endsWith('.tmp'));
    assert.ok(leftovers.length <= 1, 'at most one temp file from the killed write');

    const second = spawnGateway(env);
    procs.push(second);
    const port2 = await second.ready;
    const r = await request(port2, { path: `/sessions/${sid}`, token: TOKEN });
    assert.equal(r.status, 200);
    const [user, reply] = r.json.messages;
    assert.equal(user.role, 'user');
    assert.equal(user.content, 'Tell me a long story');
    assert.equal(reply.status, 'interrupted');
    assert.equal(reply.error.code, 'interrupted');
    assert.ok(reply.content.length > 0, 'partial reply kept');
    assert.ok(streamed.startsWith(reply.content), 'the stored text is what was streamed before the kill');
    assert.ok(tokens.join('').startsWith(reply.content));
    sessionSchema.parse(JSON.parse(await fs.readFile(file, 'utf8')));

    // The session still works after the crash.
    const next = sse(port2, { method: 'POST', path: '/chat/stream', token: TOKEN, body: { session_id: sid, model: 'm1', content: 'go on' } });
    await next.finished;
    assert.equal(next.events.at(-1)!.json.finish_reason, 'stop');
    await second.kill('SIGTERM');
  });
});
