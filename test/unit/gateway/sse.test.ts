import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SseDecoder, type SseEvent } from '../../../src/gateway/net/sse';

const enc = new TextEncoder();

function decode(text: string, cuts: number[]): SseEvent[] {
  const bytes = enc.encode(text);
  const d = new SseDecoder();
  const out: SseEvent[] = [];
  const sink = (e: SseEvent) => void out.push(e);
  let from = 0;
  for (const c of [...new Set(cuts.filter((x) => x > 0 && x < bytes.length))].sort((a, b) => a - b)) {
    d.push(bytes.subarray(from, c), sink);
    from = c;
  }
  d.push(bytes.subarray(from), sink);
  d.end(sink);
  return out;
}

describe('SSE decoder', () => {
  it('parses data events, joins multi-line data, ignores comments, keeps event names', () => {
    const text = ': keep-alive\n\ndata: {"a":1}\n\nevent: x\ndata: line1\ndata: line2\n\ndata: [DONE]\n\n';
    assert.deepEqual(decode(text, []), [{ data: '{"a":1}' }, { event: 'x', data: 'line1\nline2' }, { data: '[DONE]' }]);
  });

  it('handles CRLF and CR line ends, even when a CRLF is split across reads', () => {
    const text = 'data: a\r\n\r\ndata: b\r\rdata: c\n\n';
    const expected = [{ data: 'a' }, { data: 'b' }, { data: 'c' }];
    for (let i = 0; i <= text.length; i++) assert.deepEqual(decode(text, [i]), expected, `cut at ${i}`);
  });

  it('drops an event not closed by a blank line at EOF', () => {
    assert.deepEqual(decode('data: a\n\ndata: half', []), [{ data: 'a' }]);
  });

  it('property: any chunking gives the same events', () => {
    const payload = fc.string({ unit: fc.constantFrom('a', 'é', '🔥', '{', '}', ':', ' ', '"') });
    fc.assert(
      fc.property(fc.array(payload, { minLength: 1, maxLength: 15 }), fc.array(fc.nat(1000), { maxLength: 20 }), (datas, cuts) => {
        const text = datas.map((d) => `data: ${d}\n\n`).join('');
        const len = enc.encode(text).length;
        assert.deepEqual(
          decode(text, cuts.map((c) => c % (len + 1))),
          datas.map((d) => ({ data: d })),
        );
      }),
      { numRuns: 300 },
    );
  });
});
