/**
 * Connection exhaustion: a local process holds as many idle connections
 * as the gateway accepts (1,000) and never closes them. Once the header timeout has
 * passed, a normal request must be answered within 2 s. The gateway runs with the
 * production connection-check interval (1 s) and a 2 s header timeout (10 s in
 * production; HEARTH_HEADERS_TIMEOUT_MS=10000 runs the real one) to keep the test short.
 * Figures: `npm run test:load -- --grep exhaustion`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { FakeEngine } from '../support/fakeEngine';
import { request } from '../unit/server/httpClient';
import { startTestGateway, type TestGateway } from '../unit/server/testGateway';

const HELD = Number(process.env.HEARTH_HELD_CONNECTIONS ?? 1000);
const HEADERS_TIMEOUT_MS = Number(process.env.HEARTH_HEADERS_TIMEOUT_MS ?? 2000);

async function tryRequest(port: number): Promise<{ ok: boolean; ms: number; error?: string }> {
  const t0 = performance.now();
  try {
    const r = await request(port, { path: '/health' });
    return { ok: r.status === 200, ms: performance.now() - t0 };
  } catch (e) {
    return { ok: false, ms: performance.now() - t0, error: (e as NodeJS.ErrnoException).code ?? String(e) };
  }
}

describe('gateway: connection exhaustion', function () {
  this.timeout(60_000);
  let gw: TestGateway;

  before(async () => {
    gw = await startTestGateway({ engine: new FakeEngine(), headersTimeoutMs: HEADERS_TIMEOUT_MS, maxConnections: 1000 });
  });
  after(async () => {
    await gw.close();
  });

  it(`${HELD} idle connections that never close: a normal request is answered within 2 s once the header timeout has passed`, async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'holdConnections.ts'), String(gw.port), String(HELD)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let last = { answered: 0, ended: 0 };
    const held = new Promise<number>((resolve, reject) => {
      readline.createInterface({ input: child.stdout! }).on('line', (line) => {
        const m = JSON.parse(line) as { held?: number; answered?: number; ended?: number };
        if (m.held !== undefined) resolve(performance.now());
        else last = m as typeof last;
      });
      child.once('exit', (code) => reject(new Error(`the attacker exited (${code})`)));
    });
    try {
      const heldAt = await held;
      // While they are held (before the timeout) the gateway is full — that is what the timeout
      // bounds. A refusal here also shows the attack took effect (a few may still be in the accept queue).
      let during = await tryRequest(gw.port);
      while (during.ok && performance.now() - heldAt < 1000) during = await tryRequest(gw.port);
      // From the moment the timeout has passed, ask every 50 ms until answered.
      await new Promise((r) => setTimeout(r, heldAt + HEADERS_TIMEOUT_MS - performance.now()));
      const timedOutAt = performance.now();
      const tries: Awaited<ReturnType<typeof tryRequest>>[] = [];
      let answered: Awaited<ReturnType<typeof tryRequest>> | undefined;
      while (performance.now() - timedOutAt < 5000) {
        const t = await tryRequest(gw.port);
        tries.push(t);
        if (t.ok) {
          answered = t;
          break;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      const afterTimeoutMs = performance.now() - timedOutAt;
      // Connections accepted late (listen backlog) time out a little later: wait for all the 408s.
      const deadline = performance.now() + 3000;
      while ((last.answered < HELD || last.ended < HELD) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const figures = {
        held: HELD,
        headersTimeoutMs: HEADERS_TIMEOUT_MS,
        duringHold: during.ok ? 'answered' : `refused (${during.error})`,
        answeredAfterTimeoutMs: Math.round(afterTimeoutMs),
        requestMs: answered ? Math.round(answered.ms) : null,
        refusedTries: tries.filter((t) => !t.ok).length,
        attackerGotAnswer: last.answered,
        attackerSawClose: last.ended,
      };
      console.log(`      connection-exhaustion: ${JSON.stringify(figures)}`);
      assert.equal(during.ok, false, 'the held connections filled the gateway');
      assert.ok(answered, `no answer within 5 s of the timeout (${tries.length} tries, last: ${tries.at(-1)?.error})`);
      assert.ok(afterTimeoutMs < 2000, `answered ${Math.round(afterTimeoutMs)} ms after the timeout (bound 2 s)`);
      assert.equal(last.answered, HELD, 'every held connection got its 408');
    } finally {
      child.kill('SIGKILL');
    }
  });
});
