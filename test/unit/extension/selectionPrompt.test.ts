import assert from 'node:assert/strict';
import { buildSelectionPrompt, cutToBudget, fenceFor, presetById, PRESETS, selectionCharBudget } from '../../../src/extension/commands/selectionPrompt';

describe('selection prompt', () => {
  const base = { path: 'src/app.ts', languageId: 'typescript', startLine: 10, endLine: 12, question: 'Explain this.', maxChars: 10_000 };

  it('puts the question, path, language, lines and fenced code in the message', () => {
    const { content, cut } = buildSelectionPrompt({ ...base, text: 'const a = 1;\nconst b = 2;\nconst c = a + b;' });
    assert.equal(cut.cut, false);
    assert.equal(content, ['Explain this.', '', 'From `src/app.ts` (typescript), lines 10-12:', '', '```typescript', 'const a = 1;\nconst b = 2;\nconst c = a + b;', '```'].join('\n'));
  });

  it('says "line N" for one line', () => {
    assert.match(buildSelectionPrompt({ ...base, startLine: 4, endLine: 4, text: 'x' }).content, /, line 4:/);
  });

  it('uses a longer fence when the code contains backticks', () => {
    assert.equal(fenceFor('no ticks'), '```');
    assert.equal(fenceFor('a ```` b'), '`````');
    const { content } = buildSelectionPrompt({ ...base, languageId: 'markdown', text: '```js\nx\n```' });
    assert.ok(content.includes('````markdown\n```js\nx\n```\n````'));
  });

  it('cuts large selections at whole lines with a visible note', () => {
    const text = Array.from({ length: 100 }, (_, i) => `line ${String(i).padStart(3, '0')}`).join('\n');
    const { content, cut } = buildSelectionPrompt({ ...base, text, maxChars: 100 });
    assert.equal(cut.cut, true);
    assert.equal(cut.totalLines, 100);
    assert.ok(cut.shownLines > 0 && cut.shownLines < 100);
    assert.ok(cut.text.length <= 100);
    assert.ok(content.endsWith(`[selection cut: showed ${cut.shownLines} of 100 lines]`));
    assert.ok(content.includes('line 000') && !content.includes('line 099'));
  });

  it('cuts a single over-long line by characters', () => {
    const r = cutToBudget('x'.repeat(1000), 50);
    assert.deepEqual([r.text.length, r.shownLines, r.totalLines, r.cut], [50, 1, 1, true]);
  });

  it('derives the bound from the context length (or the default)', () => {
    assert.ok(selectionCharBudget(0) > 0);
    assert.ok(selectionCharBudget(32768) > selectionCharBudget(4096));
    assert.equal(selectionCharBudget(4096), 4096 * 0.5 * 3);
  });

  it('ignores a language id that could break the fence', () => {
    const { content } = buildSelectionPrompt({ ...base, languageId: 'x\n```evil', text: 'a' });
    assert.ok(content.includes('(plain text)'));
    assert.ok(!content.includes('evil'));
  });

  it('has the four presets', () => {
    assert.deepEqual(PRESETS.map((p) => p.label), ['Explain', 'Find bugs', 'Write tests', 'Refactor']);
    assert.equal(presetById('bugs')?.label, 'Find bugs');
    assert.equal(presetById('nope'), undefined);
  });
});
