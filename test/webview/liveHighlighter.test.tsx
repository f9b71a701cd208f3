/**
 * The streaming highlighter must show what one pass over the same text shows,
 * while highlighting each settled run of lines only once.
 */
import assert from 'node:assert/strict';
import { render } from 'preact';
import { highlightCode, LiveHighlighter } from '../../webview/markdown/highlight';

const SAMPLES: [string, string][] = [
  [
    'ts',
    'export function add(a: number, b: number): number {\n  // sum\n  const s = `${a} + ${b}`;\n  return a + b;\n}\n\nconst x = /* open\n comment */ add(1, 2);\nconsole.log("done", x);\n',
  ],
  ['python', 'def add(a: int, b: int) -> int:\n    """Return the sum\n    of a and b."""\n    return a + b\n\nprint(add(2, 3))  # 5\n'],
  ['json', '{\n  "name": "hearth",\n  "tags": ["a", "b"],\n  "n": 1.5,\n  "ok": true\n}\n'],
];

function html(child: unknown): string {
  const div = document.createElement('div');
  render(<>{child}</>, div);
  return div.innerHTML;
}

describe('LiveHighlighter (open code blocks)', () => {
  for (const [lang, code] of SAMPLES) {
    it(`${lang}: every streamed prefix shows the same text and markup as one pass, and settled runs are reused`, () => {
      const live = new LiveHighlighter(lang);
      let previous: readonly unknown[] = [];
      for (let i = 1; i <= code.length; i++) {
        const prefix = code.slice(0, i);
        const { settled, rest } = live.highlight(prefix);
        const got = html([...settled, rest]);
        const div = document.createElement('div');
        div.innerHTML = got;
        assert.equal(div.textContent, prefix, `text at ${i}`);
        if (prefix.endsWith('\n')) assert.equal(got, html(highlightCode(prefix, lang)), `markup at line end ${i}`);
        // Runs already settled are the very same vnodes: never highlighted again.
        for (let k = 0; k < previous.length; k++) assert.equal(settled[k], previous[k]);
        previous = [...settled];
      }
      assert.ok(previous.length > 0, 'some runs settled while streaming');
    });
  }

  it('starts over when the text is not a continuation (a regenerated block)', () => {
    const live = new LiveHighlighter('ts');
    live.highlight('const a = 1;\nconst b = 2;\n');
    const { settled, rest } = live.highlight('let z = 3;\n');
    const div = document.createElement('div');
    div.innerHTML = html([...settled, rest]);
    assert.equal(div.textContent, 'let z = 3;\n');
  });

  it('leaves unknown languages as plain text', () => {
    const { settled, rest } = new LiveHighlighter('no-such-language').highlight('a <b> & c\n');
    assert.deepEqual(settled, []);
    assert.equal(rest, 'a <b> & c\n');
  });
});
