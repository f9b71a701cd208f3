import assert from 'node:assert/strict';
import { presetById, PRESETS, selectionAttachment } from '../../../src/extension/commands/selectionPrompt';
import { cutToBudget } from '../../../src/shared/fit';
import { formatAttachment, userContentForModel } from '../../../src/shared/attachments';

describe('ask about selection: the selection as an attachment', () => {
  const base = { path: 'src/app.ts', uri: 'file:///ws/src/app.ts', languageId: 'typescript', startLine: 10, endLine: 12, maxChars: 10_000 };

  it('carries path, uri, language and lines, and reaches the model in the one attachment format', () => {
    const { attachment, cut } = selectionAttachment({ ...base, text: 'const a = 1;\nconst b = 2;\nconst c = a + b;' });
    assert.equal(cut.cut, false);
    assert.deepEqual(attachment, {
      kind: 'selection',
      name: 'app.ts',
      path: 'src/app.ts',
      uri: 'file:///ws/src/app.ts',
      language: 'typescript',
      range: { startLine: 10, endLine: 12 },
      content: 'const a = 1;\nconst b = 2;\nconst c = a + b;',
    });
    assert.equal(
      userContentForModel({ content: 'Explain this.', attachments: [attachment] }),
      ['Selection from `src/app.ts` (typescript, lines 10-12)', '```typescript', 'const a = 1;\nconst b = 2;\nconst c = a + b;', '```', '', 'Explain this.'].join('\n'),
    );
  });

  it('a fence inside the selection cannot close the block', () => {
    const { attachment } = selectionAttachment({ ...base, languageId: 'markdown', text: '```js\nx\n```' });
    assert.ok(formatAttachment(attachment).includes('````markdown\n```js\nx\n```\n````'));
  });

  it('cuts large selections at whole lines, with a visible note in what the model receives', () => {
    const text = Array.from({ length: 100 }, (_, i) => `line ${String(i).padStart(3, '0')}`).join('\n');
    const { attachment, cut } = selectionAttachment({ ...base, text, maxChars: 100 });
    assert.equal(cut.cut, true);
    assert.equal(cut.totalLines, 100);
    assert.ok(cut.shownLines > 0 && cut.shownLines < 100);
    assert.ok(attachment.content.length <= 100);
    assert.deepEqual(attachment.truncated, { originalChars: text.length, originalLines: 100 });
    assert.match(formatAttachment(attachment), new RegExp(`cut to fit: first ${cut.shownLines} of 100 lines`));
    assert.ok(attachment.content.includes('line 000') && !attachment.content.includes('line 099'));
  });

  it('cuts a single over-long line by characters', () => {
    const r = cutToBudget('x'.repeat(1000), 50);
    assert.deepEqual([r.text.length, r.shownLines, r.totalLines, r.cut], [50, 1, 1, true]);
  });

  it('drops a language id that could break the fence', () => {
    const { attachment } = selectionAttachment({ ...base, languageId: 'x\n```evil', text: 'a' });
    assert.equal(attachment.language, undefined);
    assert.ok(!formatAttachment(attachment).includes('evil'));
  });

  it('has the five presets', () => {
    assert.deepEqual(PRESETS.map((p) => p.label), ['Explain', 'Find bugs', 'Fix', 'Write tests', 'Refactor']);
    assert.match(presetById('fix')!.question, /corrected code in one code block/);
    assert.equal(presetById('bugs')?.label, 'Find bugs');
    assert.equal(presetById('nope'), undefined);
  });
});
