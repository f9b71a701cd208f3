import assert from 'node:assert/strict';
import fc from 'fast-check';
import { attachmentHeading, userContentForModel } from '../../../src/shared/attachments';
import { answerReserve, checkFit, contextWindowFor, CONTEXT_CAP, cutAttachment, cutToFit, FALLBACK_CONTEXT } from '../../../src/shared/fit';
import { answerReserve as engineReserve } from '../../../src/gateway/engine/contextFit';
import { DEFAULT_TUNING } from '../../../src/gateway/engine/tuning';
import type { Attachment } from '../../../src/shared/session';
import { estimateAttachmentTokens, estimateTokens, MESSAGE_OVERHEAD } from '../../../src/shared/tokens';

const lines = (n: number, width = 30) => Array.from({ length: n }, (_, i) => `line ${String(i + 1).padStart(4, '0')} ${'x'.repeat(width)}`).join('\n') + '\n';
const file = (name: string, content: string, extra: Partial<Attachment> = {}): Attachment => ({ kind: 'file', name, path: `src/${name}`, language: 'typescript', content, ...extra });

describe('fit: the context window a turn gets', () => {
  it('is the setting, else the model’s own capped like the engine, else the engine’s fallback (marked as a guess)', () => {
    assert.deepEqual(contextWindowFor(16384, { context_length: 2048 }), { tokens: 16384, known: true });
    assert.deepEqual(contextWindowFor(0, { context_length: 2048 }), { tokens: 2048, known: true });
    assert.deepEqual(contextWindowFor(0, { context_length: 131072 }), { tokens: CONTEXT_CAP, known: true });
    assert.deepEqual(contextWindowFor(0, {}), { tokens: FALLBACK_CONTEXT, known: false });
    assert.deepEqual(contextWindowFor(0), { tokens: FALLBACK_CONTEXT, known: false });
  });

  it('is the window the engine reports it will use (a Modelfile num_ctx below the maximum), unless the setting says otherwise', () => {
    assert.deepEqual(contextWindowFor(0, { context_length: 131072, effective_context: 2048 }), { tokens: 2048, known: true });
    assert.deepEqual(contextWindowFor(3000, { context_length: 131072, effective_context: 2048 }), { tokens: 3000, known: true });
  });

  it('agrees with the engine: the same cap, fallback and answer reserve', () => {
    assert.equal(CONTEXT_CAP, DEFAULT_TUNING.contextCap);
    assert.equal(FALLBACK_CONTEXT, DEFAULT_TUNING.fallbackContext);
    for (const n of [0, 100, 2048, 4096, 8192, 128000]) assert.equal(answerReserve(n), engineReserve(n));
  });
});

describe('fit: counting a question with its attachments', () => {
  it('counts the message as the model receives it (one format), plus the system prompt: never under, at most a token per part over', () => {
    const atts = [file('a.ts', 'const a = 1;\n'), file('b.ts', 'let b;\n')];
    const r = checkFit({ content: 'Why?', attachments: atts, window: 4096, reserved: 50 });
    const exact = estimateTokens(userContentForModel({ content: 'Why?', attachments: atts })) + MESSAGE_OVERHEAD + 50;
    assert.ok(r.used >= exact && r.used <= exact + atts.length + 1, `${r.used} vs ${exact}`);
    assert.deepEqual(r.attachmentTokens, atts.map(estimateAttachmentTokens));
    assert.equal(r.budget, 4096 - 1024);
    assert.equal(r.fits, true);
  });

  it('property: the count is never below the estimate of the text the model receives', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.array(fc.string({ maxLength: 300 }), { maxLength: 4 }), (q, contents) => {
        const atts = contents.map((c, i) => file(`f${i}.ts`, c));
        const exact = estimateTokens(userContentForModel({ content: q, attachments: atts })) + MESSAGE_OVERHEAD;
        const used = checkFit({ content: q, attachments: atts, window: 1_000_000 }).used;
        assert.ok(used >= exact && used <= exact + atts.length + 1, `${used} vs ${exact}`);
      }),
      { numRuns: 200 },
    );
  });

  it('does not fit when over the window minus the answer’s share', () => {
    const big = file('big.ts', lines(2000));
    const r = checkFit({ content: 'q', attachments: [big], window: 4096 });
    assert.equal(r.fits, false);
    assert.ok(r.used > r.budget);
  });
});

describe('fit: cutting to fit', () => {
  it('leaves a question that fits alone', () => {
    const atts = [file('a.ts', 'x\n')];
    const r = cutToFit({ content: 'q', attachments: atts, window: 4096 });
    assert.deepEqual(r.cut, []);
    assert.equal(r.attachments[0], atts[0]);
  });

  it('cuts at whole lines, marks each cut attachment, and says so in what the model receives', () => {
    const big = file('big.ts', lines(2000));
    const r = cutToFit({ content: 'Explain', attachments: [big], window: 4096 });
    assert.equal(r.report.fits, true);
    assert.deepEqual(r.cut, [0]);
    const cut = r.attachments[0]!;
    assert.deepEqual(cut.truncated, { originalChars: big.content.length, originalLines: 2000 });
    assert.ok(big.content.startsWith(cut.content), 'a prefix of the file');
    assert.ok(cut.content.split('\n').every((l) => /^line \d{4} x+$/.test(l)), 'whole lines only');
    const kept = cut.content.split('\n').length;
    assert.match(attachmentHeading(cut), new RegExp(`cut to fit: first ${kept} of 2000 lines`));
    assert.ok(userContentForModel({ content: 'Explain', attachments: r.attachments }).endsWith('Explain'), 'the question is never cut');
    // It uses the room: not much more than a line's worth is left over.
    assert.ok(r.report.budget - r.report.used < 60, `${r.report.budget - r.report.used} tokens left unused`);
  });

  it('cuts the largest first: a small file next to a huge one stays whole', () => {
    const small = file('small.ts', lines(20));
    const huge = file('huge.ts', lines(3000));
    const r = cutToFit({ content: 'q', attachments: [small, huge], window: 8192 });
    assert.equal(r.report.fits, true);
    assert.deepEqual(r.cut, [1]);
    assert.equal(r.attachments[0], small);
  });

  it('shares the room between several large files', () => {
    const a = file('a.ts', lines(1500));
    const b = file('b.ts', lines(1500));
    const r = cutToFit({ content: 'q', attachments: [a, b], window: 8192 });
    assert.equal(r.report.fits, true);
    const [ta, tb] = r.attachments.map(estimateAttachmentTokens);
    assert.ok(Math.abs(ta! - tb!) < 30, `${ta} vs ${tb}`);
  });

  it('cuts a single over-long line by characters, and says characters', () => {
    const minified = file('app.min.js', 'x'.repeat(40_000), { language: 'javascript' });
    const r = cutToFit({ content: 'q', attachments: [minified], window: 2048 });
    assert.equal(r.report.fits, true);
    assert.deepEqual(r.attachments[0]!.truncated, { originalChars: 40_000 });
    assert.match(attachmentHeading(r.attachments[0]!), /cut to fit: first \d+ of 40000 characters/);
  });

  it('recutting an attachment that was cut before keeps its first length (edit and resend)', () => {
    const big = file('big.ts', lines(2000));
    const once = cutAttachment(big, 2000);
    const twice = cutAttachment(once, 500);
    assert.deepEqual(twice.truncated, { originalChars: big.content.length, originalLines: 2000 });
  });

  it('says when even cut the question cannot fit (the question alone is too long)', () => {
    const r = cutToFit({ content: 'word '.repeat(5000), attachments: [file('a.ts', lines(10))], window: 2048 });
    assert.equal(r.report.fits, false);
  });

  it('property: whenever a fit is possible, the result fits, keeps prefixes, and marks exactly what changed', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ n: fc.integer({ min: 0, max: 400 }), w: fc.integer({ min: 0, max: 120 }) }), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 1024, max: 16384 }),
        (specs, window) => {
          const atts = specs.map((s, i) => file(`f${i}.ts`, s.n ? lines(s.n, s.w) : ''));
          const r = cutToFit({ content: 'question', attachments: atts, window });
          const floor = checkFit({ content: 'question', attachments: atts.map((a) => ({ ...a, content: '', truncated: { originalChars: 1, originalLines: 1 } })), window });
          if (floor.fits) assert.equal(r.report.fits, true);
          r.attachments.forEach((a, i) => {
            const orig = atts[i]!;
            if (r.cut.includes(i)) {
              assert.ok(a.truncated, 'a cut attachment is marked');
              assert.ok(orig.content.startsWith(a.content));
            } else assert.equal(a, orig);
          });
        },
      ),
      { numRuns: 60 },
    );
  });
});
