import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import * as z from 'zod';
import { BodyBudget, readJsonBody } from '../../../src/gateway/server/body';
import { HttpError } from '../../../src/gateway/server/httpError';

/** A request body the test feeds; `length` declares Content-Length (omitted: chunked). */
function body(length?: number): PassThrough & IncomingMessage {
  const s = new PassThrough() as PassThrough & IncomingMessage;
  (s as { headers: Record<string, string> }).headers = length === undefined ? {} : { 'content-length': String(length) };
  return s;
}

const schema = z.object({ text: z.string() });
const json = (n: number) => JSON.stringify({ text: 'x'.repeat(n) });

describe('request bodies in flight across requests (BodyBudget)', () => {
  it('counts a declared body while it is read, and gives it back after', async () => {
    const budget = new BodyBudget(1000);
    const text = json(300);
    const req = body(text.length);
    const reading = readJsonBody(req, schema, 10_000, budget);
    assert.equal(budget.inFlight, text.length);
    req.end(text);
    assert.equal((await reading).text.length, 300);
    assert.equal(budget.inFlight, 0);
  });

  it('refuses a body that does not fit beside those being read: 503 with Retry-After, answered once the body has arrived and been dropped', async () => {
    const budget = new BodyBudget(1000);
    const first = body(json(700).length);
    const reading = readJsonBody(first, schema, 10_000, budget);
    const second = body(json(400).length);
    let settled = false;
    const refused = readJsonBody(second, schema, 10_000, budget).finally(() => (settled = true));
    second.write(json(400).slice(0, 100));
    await new Promise((r) => setImmediate(r));
    // A client still sending must not be answered (and cut off) before its body is in.
    assert.equal(settled, false, 'not answered while the body is still coming');
    assert.equal(budget.inFlight, json(700).length, 'the refused body takes nothing from the budget');
    second.end(json(400).slice(100));
    await assert.rejects(refused, (e: unknown) => e instanceof HttpError && e.status === 503 && e.code === 'busy' && e.headers['Retry-After'] === '1');
    assert.equal(second.readableLength, 0, 'nothing of it was kept');
    first.end(json(700));
    await reading;
    assert.equal(budget.inFlight, 0, 'the refusal took nothing; the first gave its bytes back');
    const third = body(json(400).length);
    const again = readJsonBody(third, schema, 10_000, budget);
    third.end(json(400));
    assert.equal((await again).text.length, 400, 'room again once the first was read');
  });

  it('a chunked body (no length) is counted chunk by chunk and refused when it outgrows the budget', async () => {
    const budget = new BodyBudget(1000);
    const held = body(800);
    const holding = readJsonBody(held, schema, 10_000, budget);
    const req = body();
    const reading = readJsonBody(req, schema, 10_000, budget);
    req.write('{"text":"');
    req.write('y'.repeat(300));
    await assert.rejects(reading, (e: unknown) => e instanceof HttpError && e.status === 503);
    assert.equal(budget.inFlight, 800, 'only the declared body is still counted');
    held.end(JSON.stringify({ text: 'z'.repeat(800 - 11) }));
    await holding;
    assert.equal(budget.inFlight, 0);
  });

  it('gives the bytes back when the body is bad too (invalid JSON, over the per-request cap)', async () => {
    const budget = new BodyBudget(1000);
    const bad = body(5);
    const r = readJsonBody(bad, schema, 10_000, budget);
    bad.end('{bad}');
    await assert.rejects(r, (e: unknown) => e instanceof HttpError && e.status === 400);
    const big = body();
    const r2 = readJsonBody(big, schema, 50, budget);
    big.end(json(100));
    await assert.rejects(r2, (e: unknown) => e instanceof HttpError && e.status === 413);
    assert.equal(budget.inFlight, 0);
  });
});
