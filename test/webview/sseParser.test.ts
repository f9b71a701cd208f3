import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SseParser } from '../../webview/host/sseParser';

const STREAM =
  ': keep-alive\n\n' +
  'id: 1\nevent: status_update\ndata: {"status":"executing"}\n\n' +
  'id: 2\r\nevent: token\r\ndata: {"content":"h\\u00e9llo"}\r\n\r\n' +
  'id: 3\revent: token\rdata: first\rdata: second\r\r' +
  'data:no-space\nretry: 10\nunknown: x\n\n' +
  'event: done\ndata: {}\n\n';

const EXPECTED = [
  { event: 'status_update', data: '{"status":"executing"}', id: '1' },
  { event: 'token', data: '{"content":"h\\u00e9llo"}', id: '2' },
  { event: 'token', data: 'first\nsecond', id: '3' },
  { event: 'message', data: 'no-space', id: '3' },
  { event: 'done', data: '{}', id: '3' },
];

describe('SSE parser', () => {
  it('parses events, ids, multi-line data, comments and all three line endings', () => {
    assert.deepEqual(new SseParser().push(STREAM), EXPECTED);
  });

  it('any chunking yields the same events (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: STREAM.length }), { maxLength: 30 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const p = new SseParser();
        const got = [];
        let at = 0;
        for (const c of [...points, STREAM.length]) {
          got.push(...p.push(STREAM.slice(at, c)));
          at = c;
        }
        assert.deepEqual(got, EXPECTED);
      }),
      { numRuns: 300 },
    );
  });

  it('an event without its closing blank line is not dispatched', () => {
    assert.deepEqual(new SseParser().push('event: token\ndata: x\n'), []);
  });

  it('drops over-long lines instead of growing without bound', () => {
    const p = new SseParser(100);
    assert.deepEqual(p.push(`data: ${'x'.repeat(500)}\n\ndata: ok\n\n`), [{ event: 'message', data: 'ok' }]);
  });
});
