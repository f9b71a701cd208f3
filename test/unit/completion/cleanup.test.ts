/** The clean-up against a corpus of real-shaped small-model answers. */
import assert from 'node:assert/strict';
import { cleanCompletion, completionShape, stripThinking } from '../../../src/shared/completion/cleanup';

/** [what, prefix, suffix, raw answer, what may be shown] */
const CORPUS: [string, string, string, string, string][] = [
  // Repeating the text after the cursor.
  ['repeats the rest of the line', 'if (', ') {\n  go();\n}', 'x > 0) {', 'x > 0'],
  ['repeats the `;` after the cursor', 'const n = items.', ';', 'length;', 'length'],
  ['repeats the next line of the suffix', 'function f() {\n  const a = 1;\n  ', '\n  return a;\n}', 'const b = a + 1;\n  return a;\n}', 'const b = a + 1;'],
  ['block: stops at the closing line the suffix has', 'function f() {', '\n}\n', '\n  return 1;\n}\n\nfunction g() {', '\n  return 1;'],
  // Brackets and quotes the suffix closes.
  ['a closer the suffix already has', 'console.log(', ')', 'a, b)', 'a, b'],
  ['its own brackets are kept', 'const x = foo(', ')', 'bar(1), baz(2)', 'bar(1), baz(2)'],
  ['a nested closer the suffix already has', 'const x = [a, ', '];', 'b, c]', 'b, c'],
  ['a quote the suffix already has', "const s = '", "';", "hello'", 'hello'],
  ['a balanced string is kept', 'call(', ')', '"a", "b"', '"a", "b"'],
  // Chat prose and fences.
  ['chat prose', 'let total = ', ';', 'Sure! Here is the completion: sum(xs)', ''],
  ['chat prose on its own line', 'def f():\n    ', '', "Here's how you could implement it:\n```python\nreturn 1\n```", ''],
  ['a fenced answer: the code inside', 'def f():\n    ', '', '```python\nreturn 42\n```', 'return 42'],
  // Thinking.
  ['think tags', 'x = ', '', '<think>The user wants a number.</think>42', '42'],
  ['an unclosed think', 'x = ', '', '42<think>hmm, or', '42'],
  ['only the end of a thought', 'x = ', '', 'so it is 42.\n</think>\n7', '7'],
  // Whitespace, repeats, special tokens.
  ['whitespace only', 'a = 1\n', '', '   \n\n  ', ''],
  ['repeats the line above', 'import os\n', '', 'import os', ''],
  ['a model looping on a line', 'items = [\n    ', '', '1,\n    2,\n    2,\n    2,', '1,\n    2,'],
  ['special tokens never shown', 'a = ', '', '1<|endoftext|><|fim_prefix|>junk', '1'],
  ['deepseek end token', 'a = ', '', '2<｜end▁of▁sentence｜>', '2'],
  // One line inside an expression vs a block at a body's start.
  ['one line inside an expression', 'const total = items.', ';', 'reduce((a, b) => a + b, 0)\nconsole.log(total)', 'reduce((a, b) => a + b, 0)'],
  ['a leading newline in the middle of a line is nothing', 'foo(', ')', '\nbar', ''],
  ['a block at the start of a body', 'def area(r):\n', '', '    pi = 3.14159\n    return pi * r * r', '    pi = 3.14159\n    return pi * r * r'],
];

describe('completion clean-up (corpus)', () => {
  for (const [what, prefix, suffix, raw, shown] of CORPUS) {
    it(what, () => assert.equal(cleanCompletion(raw, prefix, suffix), shown));
  }

  it('the shape: one line with text after the cursor or inside an expression, a block on an empty line or after an opener', () => {
    assert.equal(completionShape('const x = foo(', ')'), 'line');
    assert.equal(completionShape('const total = items.', ''), 'line');
    assert.equal(completionShape('function f() {', '\n}'), 'block');
    assert.equal(completionShape('def f(x):', ''), 'block');
    assert.equal(completionShape('if x:\n    ', '\n'), 'block');
    assert.equal(completionShape('x.map((a) =>', ''), 'block');
  });

  it('thinking is removed wherever it is', () => {
    assert.equal(stripThinking('<think>a</think>b<think>c</think>d'), 'bd');
    assert.equal(stripThinking('plain'), 'plain');
  });
});
