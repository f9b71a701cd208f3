/**
 * Real-shaped model output for the apply tests: how small local models answer
 * "fix this" — prose around a fence, a fixed function without its class's
 * indentation, aider-style SEARCH/REPLACE blocks with the path above, unified
 * diffs with wrong line numbers or none, "// ... existing code ..." placeholders.
 * Each case says where the block lands or why it is refused.
 */
import type { Region } from '../../../src/core/apply';

export interface Case {
  name: string;
  file: string;
  fileName?: string;
  /** The whole reply, as the model wrote it (markdown). */
  reply: string;
  region?: Region;
  /** Which fenced block of the reply (default 0). */
  block?: number;
  expect:
    | { lands: { startLine: number; endLine: number }[]; text: string; how?: string }
    | { refused: RegExp };
}

const CALC_PY = `import math


def add(a, b):
    return a - b


def mul(a, b):
    result = 0
    for _ in range(b):
        result += a
    return result


def area(r):
    return math.pi * r * r
`;

const CART_TS = `export interface Item {
  price: number;
  qty: number;
}

export class Cart {
  private items: Item[] = [];

  add(item: Item): void {
    this.items.push(item);
  }

  total(): number {
    let sum = 0;
    for (const i of this.items) {
      sum += i.price;
    }
    return sum;
  }
}
`;

const TABS_GO = 'package main\n\nfunc sum(xs []int) int {\n\tt := 0\n\tfor _, x := range xs {\n\t\tt -= x\n\t}\n\treturn t\n}\n';

const CRLF_CS = 'public class Greeter\r\n{\r\n    public string Greet(string name)\r\n    {\r\n        return "Hello " + name;\r\n    }\r\n}\r\n';

export const CORPUS: Case[] = [
  {
    name: 'a fixed function (python), no path: replaces that function in the active file',
    file: CALC_PY,
    fileName: 'calc.py',
    region: { kind: 'file' },
    reply: "The loop in `mul` ignores negative numbers. Here's a simpler version:\n\n```python\ndef mul(a, b):\n    return a * b\n```\n\nThis uses Python's own multiplication.",
    expect: {
      how: 'snippet',
      lands: [{ startLine: 8, endLine: 12 }],
      text: CALC_PY.replace('    result = 0\n    for _ in range(b):\n        result += a\n    return result\n', '    return a * b\n'),
    },
  },
  {
    name: 'the range asked about (Ask About Selection, Fix): the corrected lines replace it',
    file: CALC_PY,
    fileName: 'calc.py',
    region: { kind: 'range', startLine: 4, endLine: 5, expected: 'def add(a, b):\n    return a - b' },
    reply: 'The function subtracts instead of adding. Fixed:\n\n```python\ndef add(a, b):\n    return a + b\n```',
    expect: { how: 'range', lands: [{ startLine: 4, endLine: 5 }], text: CALC_PY.replace('return a - b', 'return a + b') },
  },
  {
    name: 'a method answered without its class indentation (typescript): put back at the class level',
    file: CART_TS,
    fileName: 'cart.ts',
    region: { kind: 'range', startLine: 13, endLine: 19, expected: CART_TS.split('\n').slice(12, 19).join('\n') },
    reply:
      "The total ignores quantities. Here's the fix:\n\n```typescript\ntotal(): number {\n  let sum = 0;\n  for (const i of this.items) {\n    sum += i.price * i.qty;\n  }\n  return sum;\n}\n```\n",
    expect: { how: 'range', lands: [{ startLine: 13, endLine: 19 }], text: CART_TS.replace('sum += i.price;', 'sum += i.price * i.qty;') },
  },
  {
    name: 'a method found by its first line in the whole file (typescript, 4-space answer into a 2-space file)',
    file: CART_TS,
    fileName: 'cart.ts',
    region: { kind: 'file' },
    reply: '```ts\n    total(): number {\n        return this.items.reduce((s, i) => s + i.price * i.qty, 0);\n    }\n```',
    expect: {
      how: 'snippet',
      lands: [{ startLine: 13, endLine: 19 }],
      text: CART_TS.replace(/ {2}total\(\): number \{[\s\S]*?\n {2}\}\n/, '  total(): number {\n    return this.items.reduce((s, i) => s + i.price * i.qty, 0);\n  }\n'),
    },
  },
  {
    name: 'the whole file, with a path in the info string (typescript)',
    file: CART_TS,
    fileName: 'cart.ts',
    region: { kind: 'file' },
    reply: 'Here is the updated file:\n\n```ts src/cart.ts\n' + CART_TS.replace('sum += i.price;', 'sum += i.price * i.qty;').replace('  add(item: Item): void {', '  add(item: Item): void {\n    if (item.qty <= 0) return;') + '```\n',
    expect: {
      how: 'whole',
      lands: [{ startLine: 1, endLine: 20 }],
      text: CART_TS.replace('sum += i.price;', 'sum += i.price * i.qty;').replace('  add(item: Item): void {', '  add(item: Item): void {\n    if (item.qty <= 0) return;'),
    },
  },
  {
    name: 'the whole file, named on a first-line comment that is not part of the file (python)',
    file: CALC_PY,
    fileName: 'calc.py',
    region: { kind: 'file' },
    reply: '```python\n# calc.py\n' + CALC_PY.replace('return a - b', 'return a + b') + '```',
    expect: { how: 'whole', lands: [{ startLine: 1, endLine: 16 }], text: CALC_PY.replace('return a - b', 'return a + b') },
  },
  {
    name: 'several SEARCH/REPLACE blocks (aider style, path above), one with other indentation',
    file: CALC_PY,
    fileName: 'calc.py',
    region: { kind: 'file' },
    reply: [
      'I will fix both functions.',
      '',
      'calc.py',
      '```python',
      '<<<<<<< SEARCH',
      'def add(a, b):',
      '    return a - b',
      '=======',
      'def add(a, b):',
      '    return a + b',
      '>>>>>>> REPLACE',
      '```',
      '',
      'calc.py',
      '```python',
      '<<<<<<< SEARCH',
      'result = 0',
      'for _ in range(b):',
      '    result += a',
      'return result',
      '=======',
      'return a * b',
      '>>>>>>> REPLACE',
      '```',
    ].join('\n'),
    block: 1,
    expect: {
      how: 'searchReplace',
      lands: [{ startLine: 9, endLine: 12 }],
      text: CALC_PY.replace('    result = 0\n    for _ in range(b):\n        result += a\n    return result\n', '    return a * b\n'),
    },
  },
  {
    name: 'two SEARCH/REPLACE blocks in one fence, applied in order',
    file: CALC_PY,
    fileName: 'calc.py',
    region: { kind: 'file' },
    reply:
      '```\n<<<<<<< SEARCH\n    return a - b\n=======\n    return a + b\n>>>>>>> REPLACE\n\n<<<<<<< SEARCH\ndef area(r):\n    return math.pi * r * r\n=======\ndef area(r):\n    return math.pi * r ** 2\n>>>>>>> REPLACE\n```',
    expect: {
      how: 'searchReplace',
      lands: [
        { startLine: 5, endLine: 5 },
        { startLine: 15, endLine: 16 },
      ],
      text: CALC_PY.replace('return a - b', 'return a + b').replace('math.pi * r * r', 'math.pi * r ** 2'),
    },
  },
  {
    name: 'a SEARCH block that is not in the file is refused, naming the line that differs',
    file: CALC_PY,
    fileName: 'calc.py',
    region: { kind: 'file' },
    reply: '```\n<<<<<<< SEARCH\ndef add(a, b):\n    return a + b  # already fixed?\n=======\ndef add(a, b):\n    return b + a\n>>>>>>> REPLACE\n```',
    expect: { refused: /SEARCH block does not match calc\.py: its first line matches at line 4, but then it expects "return a \+ b # already fixed\?" where line 5 is "return a - b"\. Nothing was changed\./ },
  },
  {
    name: 'a SEARCH block found twice is refused as ambiguous',
    file: 'x = 1\nprint(x)\nx = 2\nprint(x)\n',
    fileName: 'a.py',
    region: { kind: 'file' },
    reply: '```\n<<<<<<< SEARCH\nprint(x)\n=======\nprint(x, flush=True)\n>>>>>>> REPLACE\n```',
    expect: { refused: /matches a\.py in 2 places \(lines 2, 4\)/ },
  },
  {
    name: 'a SEARCH/REPLACE block without its divider is refused',
    file: CALC_PY,
    fileName: 'calc.py',
    region: { kind: 'file' },
    reply: '```\n<<<<<<< SEARCH\n    return a - b\n>>>>>>> REPLACE\n```',
    expect: { refused: /no "=======" line/ },
  },
  {
    name: 'a unified diff with headers and line numbers that are off by a few lines',
    file: CALC_PY,
    fileName: 'calc.py',
    region: { kind: 'file' },
    reply: '```diff\n--- a/calc.py\n+++ b/calc.py\n@@ -1,4 +1,4 @@\n def add(a, b):\n-    return a - b\n+    return a + b\n \n \n```',
    expect: { how: 'diff', lands: [{ startLine: 4, endLine: 5 }], text: CALC_PY.replace('return a - b', 'return a + b') },
  },
  {
    name: 'a unified diff without numbers, two hunks, context lines missing their leading space',
    file: CALC_PY,
    fileName: 'calc.py',
    region: { kind: 'file' },
    reply: '```diff\n@@ ... @@\ndef add(a, b):\n-    return a - b\n+    return a + b\n@@ ... @@\ndef area(r):\n-    return math.pi * r * r\n+    return math.pi * r ** 2\n```',
    expect: {
      how: 'diff',
      lands: [
        { startLine: 4, endLine: 5 },
        { startLine: 15, endLine: 16 },
      ],
      text: CALC_PY.replace('return a - b', 'return a + b').replace('math.pi * r * r', 'math.pi * r ** 2'),
    },
  },
  {
    name: 'a diff whose removed lines are not in the file is refused',
    file: CALC_PY,
    fileName: 'calc.py',
    region: { kind: 'file' },
    reply: '```diff\n@@ -4,2 +4,2 @@\n def add(a, b):\n-    return a + c\n+    return a + b\n```',
    expect: { refused: /The diff does not match calc\.py: the lines it removes or keeps are not there \(its first line matches at line 4, but then it expects "return a \+ c"/ },
  },
  {
    name: 'a diff over two files is refused',
    file: CALC_PY,
    fileName: 'calc.py',
    region: { kind: 'file' },
    reply: '```diff\n--- a/calc.py\n+++ b/calc.py\n@@ -5 +5 @@\n-    return a - b\n+    return a + b\n--- a/other.py\n+++ b/other.py\n@@ -1 +1 @@\n-x\n+y\n```',
    expect: { refused: /more than one file/ },
  },
  {
    name: 'a CRLF file keeps its CRLF line ends (the model answers in LF)',
    file: CRLF_CS,
    fileName: 'Greeter.cs',
    region: { kind: 'range', startLine: 3, endLine: 6, expected: '    public string Greet(string name)\n    {\n        return "Hello " + name;\n    }' },
    reply: '```csharp\npublic string Greet(string name)\n{\n    return $"Hello, {name}!";\n}\n```',
    expect: { how: 'range', lands: [{ startLine: 3, endLine: 6 }], text: CRLF_CS.replace('return "Hello " + name;', 'return $"Hello, {name}!";') },
  },
  {
    name: 'a CRLF file and a SEARCH/REPLACE block in LF',
    file: CRLF_CS,
    fileName: 'Greeter.cs',
    region: { kind: 'file' },
    reply: '```\n<<<<<<< SEARCH\n        return "Hello " + name;\n=======\n        if (name == null) return "Hello";\n        return "Hello " + name;\n>>>>>>> REPLACE\n```',
    expect: {
      how: 'searchReplace',
      lands: [{ startLine: 5, endLine: 5 }],
      text: CRLF_CS.replace('        return "Hello " + name;', '        if (name == null) return "Hello";\r\n        return "Hello " + name;'),
    },
  },
  {
    name: 'a tab-indented file and an answer indented with spaces: the result uses tabs',
    file: TABS_GO,
    fileName: 'sum.go',
    region: { kind: 'file' },
    reply: '```go\nfunc sum(xs []int) int {\n    t := 0\n    for _, x := range xs {\n        t += x\n    }\n    return t\n}\n```',
    expect: { how: 'snippet', lands: [{ startLine: 3, endLine: 9 }], text: TABS_GO.replace('t -= x', 't += x') },
  },
  {
    name: 'a tab-indented file and a SEARCH block in spaces',
    file: TABS_GO,
    fileName: 'sum.go',
    region: { kind: 'file' },
    reply: '```\n<<<<<<< SEARCH\n    for _, x := range xs {\n        t -= x\n    }\n=======\n    for _, x := range xs {\n        t += x\n    }\n>>>>>>> REPLACE\n```',
    expect: { how: 'searchReplace', lands: [{ startLine: 5, endLine: 7 }], text: TABS_GO.replace('t -= x', 't += x') },
  },
  {
    name: 'a block with a language tag but no path, and the active selection as target',
    file: CALC_PY,
    fileName: 'calc.py',
    region: { kind: 'selection', start: CALC_PY.indexOf('def area'), end: CALC_PY.length },
    reply: '```python\ndef area(r: float) -> float:\n    """Area of a circle."""\n    return math.pi * r ** 2\n```',
    expect: {
      how: 'selection',
      lands: [{ startLine: 15, endLine: 16 }],
      text: CALC_PY.replace('def area(r):\n    return math.pi * r * r', 'def area(r: float) -> float:\n    """Area of a circle."""\n    return math.pi * r ** 2'),
    },
  },
  {
    name: 'the selection moved (a line was typed above it since): found again by its text',
    file: '# new first line\n' + CALC_PY,
    fileName: 'calc.py',
    region: { kind: 'selection', start: CALC_PY.indexOf('def add'), end: CALC_PY.indexOf('def add') + 'def add(a, b):\n    return a - b'.length, expected: 'def add(a, b):\n    return a - b' },
    reply: '```python\ndef add(a, b):\n    return a + b\n```',
    expect: { how: 'selection', lands: [{ startLine: 5, endLine: 6 }], text: '# new first line\n' + CALC_PY.replace('return a - b', 'return a + b') },
  },
  {
    name: 'the selected code was rewritten since: refused',
    file: CALC_PY.replace('return a - b', 'return b - a'),
    fileName: 'calc.py',
    region: { kind: 'selection', start: CALC_PY.indexOf('def add'), end: CALC_PY.indexOf('def add') + 'def add(a, b):\n    return a - b'.length, expected: 'def add(a, b):\n    return a - b' },
    reply: '```python\ndef add(a, b):\n    return a + b\n```',
    expect: { refused: /the selected code has changed since/ },
  },
  {
    name: 'part of a line selected: the expression is replaced in place',
    file: CALC_PY,
    fileName: 'calc.py',
    region: { kind: 'selection', start: CALC_PY.indexOf('math.pi * r * r'), end: CALC_PY.indexOf('math.pi * r * r') + 'math.pi * r * r'.length },
    reply: '```python\nmath.pi * r ** 2\n```',
    expect: { how: 'selection', lands: [{ startLine: 16, endLine: 16 }], text: CALC_PY.replace('math.pi * r * r', 'math.pi * r ** 2') },
  },
  {
    name: 'a fence inside the code (a markdown file in a four-backtick fence)',
    file: '# Tool\n\nRun it:\n\n```sh\ntool --run\n```\n',
    fileName: 'README.md',
    region: { kind: 'file' },
    reply: 'Updated README:\n\n````markdown\n# Tool\n\nInstall and run it:\n\n```sh\nnpm i -g tool\ntool --run\n```\n````\n\nThe inner fence stays.',
    expect: { how: 'whole', lands: [{ startLine: 1, endLine: 7 }], text: '# Tool\n\nInstall and run it:\n\n```sh\nnpm i -g tool\ntool --run\n```\n' },
  },
  {
    name: 'a block that leaves code out ("// ... existing code ...") is refused',
    file: CART_TS,
    fileName: 'cart.ts',
    region: { kind: 'file' },
    reply: '```ts\nexport class Cart {\n  // ... existing code ...\n\n  clear(): void {\n    this.items = [];\n  }\n}\n```',
    expect: { refused: /leaves code out \("\/\/ \.\.\. existing code \.\.\."\), so applying it would delete that code from cart\.ts/ },
  },
  {
    name: 'a short block that matches nothing in a longer file is not taken as the whole file',
    file: CART_TS,
    fileName: 'cart.ts',
    region: { kind: 'file' },
    reply: '```ts\nconst x = compute();\n```',
    expect: { refused: /does not match any part of cart\.ts \(its first line "const x = compute\(\);" is not in the file\), and it is much shorter than the file/ },
  },
  {
    name: 'a snippet whose first line appears twice, equally, is refused as ambiguous',
    file: 'if (a) {\n  go();\n}\nstop();\nif (a) {\n  go();\n}\nrest();\nmore();\nend();\n',
    fileName: 'x.js',
    region: { kind: 'file' },
    reply: '```js\nif (a) {\n  goFaster();\n}\n```',
    expect: { refused: /first line "if \(a\) \{" appears 2 times in x\.js \(lines 1, 5\)/ },
  },
  {
    name: 'code the file already has is refused: nothing to change',
    file: CALC_PY,
    fileName: 'calc.py',
    region: { kind: 'file' },
    reply: '```python\ndef area(r):\n    return math.pi * r * r\n```',
    expect: { refused: /calc\.py already contains this code/ },
  },
  {
    name: 'the range asked about moved (lines added above since the question): found again',
    file: '# header\n# more\n' + CALC_PY,
    fileName: 'calc.py',
    region: { kind: 'range', startLine: 4, endLine: 5, expected: 'def add(a, b):\n    return a - b' },
    reply: '```python\ndef add(a, b):\n    return a + b\n```',
    expect: { how: 'range', lands: [{ startLine: 6, endLine: 7 }], text: '# header\n# more\n' + CALC_PY.replace('return a - b', 'return a + b') },
  },
  {
    name: 'the range asked about was rewritten since the question: refused',
    file: CALC_PY.replace('def add(a, b):\n    return a - b', 'def plus(x, y):\n    return x + y'),
    fileName: 'calc.py',
    region: { kind: 'range', startLine: 4, endLine: 5, expected: 'def add(a, b):\n    return a - b' },
    reply: '```python\ndef add(a, b):\n    return a + b\n```',
    expect: { refused: /the code the question was about \(lines 4–5 of calc\.py\) has changed since/ },
  },
  {
    name: 'the whole function around the lines asked about replaces that function',
    file: CALC_PY,
    fileName: 'calc.py',
    region: { kind: 'range', startLine: 10, endLine: 11, expected: '    for _ in range(b):\n        result += a' },
    reply: '```python\ndef mul(a, b):\n    result = 0\n    for _ in range(abs(b)):\n        result += a\n    return result if b >= 0 else -result\n```',
    expect: {
      how: 'snippet',
      lands: [{ startLine: 8, endLine: 12 }],
      text: CALC_PY.replace('range(b)', 'range(abs(b))').replace('    return result\n', '    return result if b >= 0 else -result\n'),
    },
  },
  {
    name: 'a fixed function plus a new helper: the function is replaced, the helper added after it',
    file: CALC_PY,
    fileName: 'calc.py',
    region: { kind: 'file' },
    reply: '```python\ndef add(a, b):\n    return _check(a) + _check(b)\n\n\ndef _check(x):\n    if not isinstance(x, (int, float)):\n        raise TypeError(x)\n    return x\n```',
    expect: {
      how: 'snippet',
      lands: [{ startLine: 4, endLine: 5 }],
      text: CALC_PY.replace('def add(a, b):\n    return a - b', 'def add(a, b):\n    return _check(a) + _check(b)\n\n\ndef _check(x):\n    if not isinstance(x, (int, float)):\n        raise TypeError(x)\n    return x'),
    },
  },
];
