/**
 * Hostile input at the two trust boundaries that take JSON from outside:
 * the webview <-> host protocol validators and the gateway's HTTP bodies.
 * Random and malformed JSON must never throw out, never reach the engine or
 * the store, and always get a clear 4xx.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseHostMessage, parseWebviewMessage } from '../../../src/shared/protocol';
import { FakeEngine } from '../chat/fakeEngine';
import { request } from '../server/httpClient';
import { startTestGateway, TOKEN, type TestGateway } from '../server/testGateway';

const RUNS = Number(process.env.HEARTH_FUZZ_RUNS ?? 300);

/** Values shaped like messages but wrong: right `type`, wrong or extra fields. */
const WEBVIEW_TYPES = ['ready', 'send', 'cancel', 'newChat', 'regenerate', 'editLast', 'selectModel', 'refreshModels', 'retryConnection', 'openSession', 'deleteSession', 'renameSession', 'exportSession', 'copy', 'insertCode', 'openInEditor', 'openLink', 'openSettings', 'pullModel', 'cancelPull'];
const HOST_TYPES = ['snapshot', 'sessions', 'session', 'models', 'connection', 'turnStarted', 'event', 'pullProgress', 'pullDone', 'notice', 'focusInput'];

const nearMessage = (types: string[]) =>
  fc.record({ type: fc.oneof(fc.constantFrom(...types), fc.string()) }).chain((base) =>
    fc.dictionary(fc.oneof(fc.constantFrom('content', 'model', 'sessionId', 'title', 'url', 'code', 'state', 'event', 'session', '__proto__', 'constructor'), fc.string()), fc.anything()).map((extra) => ({ ...extra, ...base })),
  );

const hostile = (types: string[]) =>
  fc.oneof(fc.anything(), fc.json().map((s) => JSON.parse(s) as unknown), nearMessage(types), fc.string({ maxLength: 50_000 }));

describe('hostile input', () => {
  describe('protocol validators', () => {
    it('never throw on random input in either direction, and return a reason when they refuse', () => {
      let accepted = 0;
      fc.assert(
        fc.property(hostile([...WEBVIEW_TYPES, ...HOST_TYPES]), (raw) => {
          for (const parse of [parseWebviewMessage, parseHostMessage]) {
            const r = parse(raw);
            if (r.ok) {
              accepted++;
              assert.equal(typeof (r.value as { type: unknown }).type, 'string');
            } else {
              assert.equal(typeof r.error, 'string');
              assert.ok(r.error.length > 0);
            }
          }
        }),
        { numRuns: RUNS * 5 },
      );
      // Random values almost never form a valid message; only parameterless ones can.
      assert.ok(accepted < RUNS * 5);
    });

    it('refuse prototype-polluting and oversized payloads without side effects', () => {
      const polluted = JSON.parse('{"type":"send","content":"hi","__proto__":{"polluted":true}}') as unknown;
      assert.equal(parseWebviewMessage(polluted).ok, false, 'extra keys are refused (strict objects)');
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
      assert.equal(parseWebviewMessage({ type: 'send', content: 'x'.repeat(1_000_001) }).ok, false);
      assert.equal(parseWebviewMessage({ type: 'openLink', url: 'https://a.test/' + 'a'.repeat(9000) }).ok, false);
      assert.equal(parseWebviewMessage({ type: 'openSession', sessionId: '../../etc/passwd' }).ok, false);
    });
  });

  describe('gateway HTTP bodies', function () {
    this.timeout(120_000);
    let gw: TestGateway;
    let engine: FakeEngine;
    before(async () => {
      engine = new FakeEngine();
      gw = await startTestGateway({ engine });
    });
    after(() => gw.close());

    const routes = ['/chat/stream', '/chat/message'] as const;

    it('answer random and malformed JSON with a 4xx and a message, never calling the model or storing anything', async () => {
      const statuses = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...routes),
          fc.oneof(
            fc.string({ maxLength: 2000 }), // mostly not JSON at all
            fc.json(), // valid JSON of the wrong shape
            fc.record({ model: fc.anything(), content: fc.anything(), session_id: fc.anything() }).map((o) => JSON.stringify(o)),
            fc.constantFrom('{', '[]', 'null', '"x"', '{"model":"m","content":"   "}', '{"model":"","content":"hi"}', '{"model":"m","content":"hi","session_id":"../x"}', '\u0000\u0000'),
          ),
          async (path, body) => {
            const res = await request(gw.port, { method: 'POST', path, token: TOKEN, body, headers: { 'content-type': 'application/json' } });
            statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
            if (res.status < 300) {
              // The rare random body that is a valid chat request: must be a real one.
              const parsed = JSON.parse(body) as { model?: unknown; content?: unknown };
              assert.equal(typeof parsed.model, 'string');
              assert.equal(typeof parsed.content, 'string');
              return;
            }
            assert.ok(res.status >= 400 && res.status < 500, `status ${res.status} for ${JSON.stringify(body).slice(0, 200)}`);
            assert.equal(typeof res.json?.error, 'object', `a JSON error body for ${res.status}: ${res.text.slice(0, 200)}`);
          },
        ),
        { numRuns: RUNS },
      );
      const accepted = [...statuses].filter(([s]) => s < 300).reduce((n, [, c]) => n + c, 0);
      assert.equal(engine.requests.length <= accepted, true, 'the engine is only called for valid requests');
      const sessions = await gw.store.list();
      assert.ok(sessions.length <= accepted, 'nothing is stored for refused requests');
    });
  });
});
