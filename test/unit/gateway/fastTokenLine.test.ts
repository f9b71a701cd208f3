import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fastTokenLine, parseChatChunk } from '../../../src/gateway/ollama/schemas';
import { goJson } from '../../double';

const line = (model: string, content: string) =>
  goJson({ model, created_at: '2025-01-01T00:00:00.000000000Z', message: { role: 'assistant', content }, done: false });

describe('fast path for token lines', () => {
  it('property: on the lines it accepts, it agrees with JSON.parse', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ unit: 'binary' }), (model, content) => {
        const text = line(model, content);
        const fast = fastTokenLine(text);
        assert.notEqual(fast, undefined, 'a plain token line is accepted');
        assert.deepEqual(parseChatChunk(fast), parseChatChunk(JSON.parse(text)));
      }),
      { numRuns: 500 },
    );
  });

  it('declines every other shape, leaving it to JSON.parse', () => {
    const declined = [
      goJson({ model: 'm', created_at: 't', message: { role: 'assistant', content: '', thinking: 'x' }, done: false }),
      goJson({ model: 'm', created_at: 't', message: { role: 'assistant', content: 'x' }, done: true, eval_count: 1 }),
      goJson({ model: 'm', created_at: 't', message: { role: 'assistant', content: 'x' }, done: false, extra: 1 }),
      goJson({ error: 'boom' }),
      '{"model":"m","created_at":"t","message":{"role":"assistant","content":"a"b"},"done":false}',
      '{"model":"m","created_at":"t","message":{"role":"assistant","content":"tab\there"},"done":false}',
      ' ' + line('m', 'x'),
    ];
    for (const d of declined) assert.equal(fastTokenLine(d), undefined, d);
  });
});
