import assert from 'node:assert/strict';
import { fencedBlocks, findBlock, findLines, namedPath, namesTarget, parseBlock, questionTargets, staysInWorkspace, targetSteps } from '../../../src/core/apply';
import { convertIndent, detectEol, detectIndent, minimalEdit, splitText } from '../../../src/core/apply/text';
import { codeBlockKey } from '../../../src/shared/codeBlocks';
import { chatMessageSchema, type Attachment } from '../../../src/shared/session';

describe('apply: the blocks of a reply', () => {
  it('reads fences by CommonMark rules: a longer fence holds a shorter one; ~~~ and info strings', () => {
    const md = 'Intro\n\n````md\n```js\nx()\n```\n````\n\n~~~python title="a.py"\nprint(1)\n~~~\n';
    const b = fencedBlocks(md);
    assert.deepEqual(
      b.map((x) => [x.code, x.info, x.closed]),
      [
        ['```js\nx()\n```', 'md', true],
        ['print(1)', 'python title="a.py"', true],
      ],
    );
  });

  it('leaves out blocks inside a <think> section of the answer text', () => {
    const md = '<think>\nMaybe:\n```py\nwrong()\n```\n</think>\nAnswer:\n```py\nright()\n```';
    assert.deepEqual(fencedBlocks(md).map((x) => x.code), ['right()']);
    assert.equal(findBlock(md, 'wrong()', true), undefined, 'reasoning is never applied');
    assert.equal(findBlock(md, 'right()\n', true)?.code, 'right()');
  });

  it('finds a fence in a list item, its indentation removed as markdown renderers do', () => {
    const md = '1. Change it:\n\n   ```ts\n   const a = 1;\n     nested();\n   ```\n';
    assert.deepEqual(fencedBlocks(md).map((x) => x.code), ['const a = 1;\n  nested();']);
  });

  it('an unclosed block counts only once the reply is finished', () => {
    const md = 'x\n```py\nhalf = (\n';
    assert.equal(findBlock(md, 'half = (', false), undefined);
    assert.equal(findBlock(md, 'half = (', true)?.closed, false);
  });

  it('a stored mark that does not read is dropped, never the message', () => {
    const base = { id: 'm1', role: 'assistant', content: 'x', status: 'complete', created_at: 1 };
    assert.deepEqual(chatMessageSchema.parse({ ...base, applied: { bad_key: 'maybe' } }).applied, {});
    assert.deepEqual(chatMessageSchema.parse({ ...base, applied: { b12ab: 'applied' } }).applied, { b12ab: 'applied' });
    assert.equal('applied' in chatMessageSchema.parse(base), false);
  });

  it('keys a block the same whatever its line ends or trailing space', () => {
    assert.equal(codeBlockKey('a\r\nb\n\n'), codeBlockKey('a\nb'));
    assert.notEqual(codeBlockKey('a\nb'), codeBlockKey('a\nc'));
    assert.match(codeBlockKey('x'), /^b[0-9a-z]+$/);
  });
});

describe('apply: which file a block names', () => {
  const cases: [string, string, string | undefined][] = [
    ['ts src/a.ts', 'x', 'src/a.ts'],
    ['typescript:src/a.ts', 'x', 'src/a.ts'],
    ['python title="app/main.py"', 'x', 'app/main.py'],
    ['{file=lib/x.rb}', 'x', 'lib/x.rb'],
    ['python', '# app/main.py\nprint(1)', 'app/main.py'],
    ['js', '// File: src/index.js\nrun()', 'src/index.js'],
    ['html', '<!-- index.html -->\n<p>', 'index.html'],
    ['python', '#!/usr/bin/env python\nprint(1)', undefined],
    ['c', '#include <stdio.h>', undefined],
    ['python', '# compute the total\nx = 1', undefined],
    ['diff', '--- a/src/x.py\n+++ b/src/x.py\n@@ -1 +1 @@\n-a\n+b', 'src/x.py'],
    ['', 'calc.py\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE', 'calc.py'],
    ['python', 'def f():\n    pass', undefined],
  ];
  for (const [info, code, want] of cases) {
    it(`${JSON.stringify(info)} / ${JSON.stringify(code.split('\n')[0])} → ${want ?? 'none'}`, () => {
      assert.equal(namedPath(code, info)?.path, want);
    });
  }

  it('{file=…} inside braces (some models) names the file too', () => {
    assert.equal(namedPath('x', 'ruby {file=lib/x.rb}')?.path, 'lib/x.rb');
  });

  it('a path that could leave the workspace names nothing: .. segments, absolute, home, drive, UNC', () => {
    for (const p of ['../../.bashrc', 'src/../../x.ts', '..\\..\\x.ps1', '/etc/passwd', '/home/me/proj/src/a.ts', '~/.bashrc', '~root/.profile', 'C:\\Users\\me\\a.ts', 'c:/x.ts', '\\\\server\\share\\a.ts'])
      assert.equal(staysInWorkspace(p), false, p);
    for (const p of ['src/a.ts', '.env', 'a..b.ts', '...x.ts', 'dir.with.dots/x.ts', 'a~b.ts']) assert.equal(staysInWorkspace(p), true, p);
  });
});

describe('apply: a reply naming a file outside the workspace', () => {
  const sel: Attachment = { kind: 'selection', name: 'calc.py', path: 'src/calc.py', uri: 'file:///w/src/calc.py', range: { startLine: 4, endLine: 5 }, content: 'def add(a, b):\n    return a - b' };
  // Real-shaped replies (a model told by an attached file to "update the shell config") — each names a path that leaves the workspace.
  const replies: [string, string][] = [
    ['in the fence', 'Add this alias:\n\n```bash ../../.bashrc\nalias ls="rm -rf"\n```\n'],
    ['in a title=', '```sh title="~/.bashrc"\nexport PATH=/tmp/evil:$PATH\n```'],
    ['on a first-line comment', '```bash\n# ../../.bashrc\nalias ls="rm -rf"\n```'],
    ['in a diff header', '```diff\n--- a/../../.ssh/authorized_keys\n+++ b/../../.ssh/authorized_keys\n@@ -1 +1,2 @@\n ssh-ed25519 AAA me\n+ssh-ed25519 BBB attacker\n```'],
    ['above a SEARCH block', '```\n/home/me/.profile\n<<<<<<< SEARCH\numask 022\n=======\numask 000\n>>>>>>> REPLACE\n```'],
    ['as an absolute Windows path', '```powershell C:\\Users\\me\\Documents\\profile.ps1\nRemove-Item -Recurse ~\n```'],
  ];
  for (const [where, reply] of replies) {
    it(`${where}: no named target; the question's own targets (then the editor, then asking) decide`, () => {
      const block = fencedBlocks(reply).at(-1)!;
      assert.equal(namedPath(block.code, block.info), undefined);
      const steps = targetSteps({ code: block.code, info: block.info, targets: questionTargets([sel]) });
      assert.deepEqual(steps.map((s) => (s.kind === 'named' ? `named:${s.path}` : `att:${s.target.path}`)), ['att:src/calc.py']);
    });
  }
});

describe('apply: what a block holds', () => {
  it('plain code, SEARCH/REPLACE, diffs; a YAML list is not a diff', () => {
    assert.equal(parseBlock('x = 1').kind, 'code');
    assert.equal(parseBlock('- name: a\n  run: b', 'yaml').kind, 'code');
    assert.equal(parseBlock('-a\n+b', 'diff').kind, 'diff');
    assert.equal(parseBlock('<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE').kind, 'searchReplace');
    assert.deepEqual(parseBlock('@@ -3,2 +3,2 @@\n x\n-y\n+z').kind === 'diff' && parseBlock('@@ -3,2 +3,2 @@\n x\n-y\n+z'), {
      kind: 'diff',
      hunks: [{ oldStart: 3, lines: [{ op: ' ', text: 'x' }, { op: '-', text: 'y' }, { op: '+', text: 'z' }] }],
    });
  });
});

describe('apply: matching', () => {
  const file = ['def f():', '    x = 1', '', '    return x', 'def g():', '    x = 1', '    return x'];
  it('prefers the strictest level and reports ambiguity', () => {
    const r = findLines(file, ['x = 1']);
    assert.ok(r.kind === 'ambiguous' && r.level === 'indent');
    assert.deepEqual(r.kind === 'ambiguous' && r.starts, [1, 5]);
    const exact = findLines(file, ['def g():', '    x = 1']);
    assert.ok(exact.kind === 'found' && exact.match.level === 'exact' && exact.match.start === 4);
  });
  it('ignores indentation, then blank lines', () => {
    const r = findLines(file, ['def f():', 'x = 1', 'return x']);
    assert.ok(r.kind === 'found');
    if (r.kind === 'found') {
      assert.equal(r.match.level, 'blanks');
      assert.deepEqual([r.match.start, r.match.end], [0, 4]);
    }
  });
  it('a hint picks the nearer of two equal matches', () => {
    const r = findLines(file, ['    x = 1'], { hint: 5 });
    assert.ok(r.kind === 'found' && r.match.start === 5);
  });
});

describe('apply: line ends and indentation', () => {
  it('detects the file EOL by majority and splits any mix', () => {
    assert.equal(detectEol('a\r\nb\r\nc\n'), '\r\n');
    assert.equal(detectEol('a\nb'), '\n');
    assert.deepEqual(splitText('a\r\nb\nc\r\n'), { lines: ['a', 'b', 'c'], eol: '\r\n', finalNewline: true });
  });
  it('detects tabs, 2 and 4 spaces', () => {
    assert.equal(detectIndent(['a', '\tb', '\t\tc'])?.kind, 'tabs');
    assert.deepEqual(detectIndent(['a {', '  b {', '    c', '  }', '}']), { kind: 'spaces', unit: 2, sure: true });
    assert.deepEqual(detectIndent(['/**', ' * doc', ' */', 'f {', '    x', '}']), { kind: 'spaces', unit: 4, sure: true });
    assert.equal(detectIndent(['a', 'b']), undefined);
  });
  it('converts spaces to tabs and 4 spaces to 2, keeping the text after the indentation', () => {
    const four = detectIndent(['f {', '    g {', '        h  =  1', '    }', '}'])!;
    assert.deepEqual(convertIndent(['    g {', '        h  =  1'], four, { kind: 'tabs', unit: 4, sure: true }), ['\tg {', '\t\th  =  1']);
    assert.deepEqual(convertIndent(['    g {', '        h'], four, { kind: 'spaces', unit: 2, sure: true }), ['  g {', '    h']);
  });
  it('the edit is the smallest one and never splits a CRLF pair', () => {
    assert.deepEqual(minimalEdit('a\r\nb\r\nc\r\n', 'a\r\nB\r\nc\r\n'), { start: 3, end: 4, text: 'B' });
    assert.deepEqual(minimalEdit('x\r\n', 'x\r\ny\r\n'), { start: 3, end: 3, text: 'y\r\n' });
    // The common tail starts inside a CRLF: the whole pair is replaced.
    assert.deepEqual(minimalEdit('a\r\nb', 'a\nb'), { start: 1, end: 3, text: '\n' });
    assert.equal(minimalEdit('same', 'same'), undefined);
  });
});

describe('apply: targets', () => {
  const sel: Attachment = { kind: 'selection', name: 'calc.py', path: 'src/calc.py', uri: 'file:///w/src/calc.py', range: { startLine: 4, endLine: 5 }, content: 'def add(a, b):\n    return a - b' };
  const other: Attachment = { kind: 'file', name: 'util.py', path: 'src/util.py', uri: 'file:///w/src/util.py', content: 'x = 1\n' };
  const problems: Attachment = { kind: 'problems', name: 'calc.py', uri: 'file:///w/src/calc.py', content: 'E1' };

  it('the attachments that name a document: ranged code first, then the lines of a problem (nothing to check them against), then files', () => {
    const problemAt: Attachment = { ...problems, path: 'src/calc.py', range: { startLine: 5, endLine: 5 } };
    const t = questionTargets([other, problems, problemAt, sel]);
    assert.deepEqual(t.map((x) => [x.path, x.range?.startLine, x.expected]), [
      ['src/calc.py', 4, 'def add(a, b):\n    return a - b'],
      ['src/calc.py', 5, undefined],
      ['src/util.py', undefined, undefined],
    ]);
  });

  it('plain code goes to the range asked about before a file it names; a named attachment wins', () => {
    const targets = questionTargets([sel, other]);
    assert.deepEqual(targetSteps({ code: 'x = 2', info: 'python other.py', targets }).map((s) => (s.kind === 'named' ? `named:${s.path}` : `att:${s.target.path}`)), [
      'att:src/calc.py',
      'named:other.py',
      'att:src/util.py',
    ]);
    assert.deepEqual(targetSteps({ code: 'x = 2', info: 'python util.py', targets }).map((s) => (s.kind === 'named' ? s.path : s.target.path)), ['src/util.py']);
  });

  it('a SEARCH/REPLACE block or a diff goes to the file it names first', () => {
    const targets = questionTargets([sel]);
    const sr = 'other.py\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE';
    assert.deepEqual(targetSteps({ code: sr, info: '', targets }).map((s) => s.kind), ['named', 'attachment']);
  });

  it('a path names a target by its trailing segments', () => {
    assert.ok(namesTarget('calc.py', { path: 'src/calc.py', name: 'calc.py', uri: 'file:///w/src/calc.py' }));
    assert.ok(namesTarget('./src/calc.py', { path: 'src/calc.py', name: 'calc.py', uri: 'file:///w/src/calc.py' }));
    assert.ok(!namesTarget('lib/calc.py', { path: 'src/calc.py', name: 'calc.py', uri: 'file:///w/src/calc.py' }));
    assert.ok(namesTarget('w/src/calc.py', { name: 'calc.py', uri: 'file:///w/src/calc.py' }));
  });
});
