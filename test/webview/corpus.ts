/**
 * Hostile model outputs and markdown edge cases. Shared by the
 * happy-dom unit test and the Chromium XSS test. Payloads try to set
 * window.__pwned, open a dialog, or fetch from pwned.invalid.
 */
export const XSS_CORPUS: Array<{ name: string; text: string }> = [
  { name: 'script tag', text: 'Hi <script>window.__pwned=1;alert(1)</script> there' },
  { name: 'script block', text: '<script>\nwindow.__pwned = 1;\nalert(1)\n</script>\n\nafter' },
  { name: 'img onerror', text: '<img src=x onerror="window.__pwned=1;alert(1)">' },
  { name: 'inline img onerror', text: 'text <img src="http://pwned.invalid/a.png" onerror=alert(1)> text' },
  { name: 'svg with script', text: '<svg xmlns="http://www.w3.org/2000/svg"><script>window.__pwned=1</script><circle onload="alert(1)"/></svg>' },
  { name: 'svg onload', text: '<svg/onload=alert(1)>' },
  { name: 'iframe', text: '<iframe src="javascript:window.__pwned=1"></iframe>\n\n<iframe srcdoc="<script>parent.__pwned=1</script>"></iframe>' },
  { name: 'object and embed', text: '<object data="http://pwned.invalid/x.swf"></object><embed src="http://pwned.invalid/y">' },
  { name: 'base tag', text: '<base href="http://pwned.invalid/">\n\n[rel](/relative/path)' },
  { name: 'meta refresh', text: '<meta http-equiv="refresh" content="0;url=http://pwned.invalid/">' },
  { name: 'link stylesheet', text: '<link rel="stylesheet" href="http://pwned.invalid/s.css"><style>@import url(http://pwned.invalid/i.css); body{background:url(http://pwned.invalid/b.png)}</style>' },
  { name: 'javascript link', text: '[click me](javascript:window.__pwned=1)' },
  { name: 'javascript link, obfuscated', text: '[a](JaVaScRiPt:alert(1)) [b](java\tscript:alert(1)) [c](&#106;avascript:alert(1)) [d]( javascript:alert(1))' },
  { name: 'vbscript/data/file links', text: '[v](vbscript:msgbox(1)) [d](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) [f](file:///etc/passwd)' },
  { name: 'javascript autolink', text: '<javascript:alert(1)> and www.example.com and https://example.com/a?b=<c>' },
  { name: 'markdown image', text: '![tracker](http://pwned.invalid/pixel.png)' },
  { name: 'reference image', text: '![logo][img]\n\n[img]: http://pwned.invalid/ref.png "title"' },
  { name: 'image with javascript src', text: '![x](javascript:alert(1))' },
  { name: 'data image', text: '![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)' },
  { name: 'link with onclick attribute text', text: '[x](https://example.com "onclick=alert(1)")' },
  { name: 'html in link text', text: '[<img src=x onerror=alert(1)>](https://example.com)' },
  { name: 'nested links', text: '[outer [inner](https://inner.example) text](https://outer.example) [[double]](https://d.example)' },
  { name: 'autolinks', text: '<https://example.com/auto> <mailto:a@b.c> a@b.c http://example.com/x_(y)' },
  { name: 'html entities', text: '&lt;script&gt;alert(1)&lt;/script&gt; &amp;lt; &#60;img src=x onerror=alert(1)&#62; &#x3C;b&#x3E; &bogus; &#0; &#xD800;' },
  { name: 'code fence that never closes', text: 'Before\n\n```html\n<script>window.__pwned=1</script>\n<img src=x onerror=alert(1)>\n' },
  { name: 'tilde fence never closes', text: '~~~\n<iframe src=javascript:alert(1)>' },
  { name: 'extremely long line', text: 'x'.repeat(200_000) + ' <script>window.__pwned=1</script>' },
  { name: 'long line of links', text: Array.from({ length: 400 }, (_, i) => `[l${i}](javascript:alert(${i}))`).join(' ') },
  { name: 'html comment and cdata', text: '<!-- <script>alert(1)</script> --><![CDATA[<script>alert(1)</script>]]>' },
  { name: 'form and input', text: '<form action="http://pwned.invalid"><input autofocus onfocus=alert(1)><button formaction=javascript:alert(1)>x</button></form>' },
  { name: 'details ontoggle', text: '<details open ontoggle=alert(1)><summary>x</summary></details>' },
  { name: 'style attribute', text: '<div style="background:url(http://pwned.invalid/s.png)">styled</div>' },
  { name: 'table with html', text: '| a | b |\n|---|---|\n| <script>alert(1)</script> | <img src=x onerror=alert(1)> |' },
  { name: 'heading and list with html', text: '# <img src=x onerror=alert(1)>\n\n- <svg onload=alert(1)>\n- [x](javascript:alert(1))' },
  { name: 'unicode tricks', text: '[x](javas\u0000cript:alert(1)) [y](\u200bjavascript:alert(1)) [z](https://example.com/\u202e)' },
];

/**
 * Hostile markdown: nesting that overflows marked's stack, shapes that
 * make its lexer quadratic, and single blocks a looping model never ends. Each
 * `make(size)` returns about `size` characters ending in the word END, inside the
 * hostile construct where there is one, so a test can check the text stays readable.
 * Shared by the webview tests, the Chromium test and bench/markdown.bench.ts.
 */
export interface HostileShape {
  name: string;
  kind: 'depth' | 'quadratic' | 'size';
  make(size: number): string;
}

const rep = (unit: string, size: number) => unit.repeat(Math.max(1, Math.floor(size / unit.length)));
const lines = (size: number, line: (i: number) => string) => {
  const out: string[] = [];
  for (let i = 0, len = 0; len < size; i++) {
    const l = line(i);
    out.push(l);
    len += l.length + 1;
  }
  return out.join('\n');
};

export const HOSTILE_SHAPES: HostileShape[] = [
  { name: 'block quotes, one per character (>>>…)', kind: 'depth', make: (n) => rep('>', n) + ' END' },
  { name: 'block quotes with spaces (> > …)', kind: 'depth', make: (n) => rep('> ', n) + 'END' },
  { name: 'bullets on one line (* * …)', kind: 'depth', make: (n) => rep('* ', n) + 'END' },
  { name: 'dashes on one line (- - …)', kind: 'depth', make: (n) => rep('- ', n) + 'END' },
  { name: 'ordered markers on one line (1. 1. …)', kind: 'depth', make: (n) => rep('1. ', n) + 'END' },
  { name: 'mixed containers (> * 1. …)', kind: 'depth', make: (n) => rep('> * 1. ', n) + 'END' },
  { name: 'list nested by indentation', kind: 'depth', make: (n) => lines(n, (i) => ' '.repeat((i % 400) * 2) + '* item') + ' END' },
  { name: 'emphasis nested in one run (***…x***)', kind: 'depth', make: (n) => rep('*', n / 2) + 'END' + rep('*', n / 2) },
  { name: 'emphasis nested by words (*a *a … a* a*)', kind: 'depth', make: (n) => rep('*a ', n / 2) + 'END' + rep(' a*', n / 2) },
  { name: 'strong nested by words (**a **a … a** a**)', kind: 'depth', make: (n) => rep('**a ', n / 2) + 'END' + rep(' a**', n / 2) },
  { name: 'links nested ([[[…](u)](u)…)', kind: 'depth', make: (n) => rep('[', n / 5) + 'END' + rep('](u)', (n * 4) / 5) },
  { name: '_a repeated', kind: 'quadratic', make: (n) => rep('_a', n) + ' END' },
  { name: '*a repeated', kind: 'quadratic', make: (n) => rep('*a', n) + ' END' },
  { name: '**a repeated', kind: 'quadratic', make: (n) => rep('**a', n) + ' END' },
  { name: '~a repeated', kind: 'quadratic', make: (n) => rep('~a', n) + ' END' },
  { name: '[a repeated', kind: 'quadratic', make: (n) => rep('[a', n) + ' END' },
  { name: '[a] repeated', kind: 'quadratic', make: (n) => rep('[a]', n) + ' END' },
  { name: '![a repeated', kind: 'quadratic', make: (n) => rep('![a', n) + ' END' },
  { name: '`a repeated', kind: 'quadratic', make: (n) => rep('`a', n) + ' END' },
  { name: '<a repeated', kind: 'quadratic', make: (n) => rep('<a', n) + ' END' },
  { name: 'backslashes', kind: 'quadratic', make: (n) => rep('\\', n) + ' END' },
  { name: 'mixed punctuation (*_[`<)', kind: 'quadratic', make: (n) => rep('*_[`<', n) + ' END' },
  { name: 'a_b_ snake case, no spaces', kind: 'quadratic', make: (n) => rep('a_b_', n) + ' END' },
  // The costliest shapes fuzzing found for marked (openers that never find a closer).
  { name: 'a._ repeated', kind: 'quadratic', make: (n) => rep('a._', n) + ' END' },
  { name: '" _**~" repeated', kind: 'quadratic', make: (n) => rep(' _**~', n) + ' END' },
  { name: '[__a repeated', kind: 'quadratic', make: (n) => rep('[__a', n) + ' END' },
  { name: 'a>_]__ repeated', kind: 'quadratic', make: (n) => rep('a>_]__', n) + ' END' },
  // Just under the inline budgets: lines of 240 specials of the costliest shape.
  { name: 'lines of 240 a._ (just under the inline budget)', kind: 'quadratic', make: (n) => rep('a._'.repeat(240) + '\n', n) + 'END' },
  { name: 'one paragraph, no blank line', kind: 'size', make: (n) => rep('The model repeats itself with **bold** and `code` again. ', n) + 'END' },
  { name: 'one tight list', kind: 'size', make: (n) => rep('- an item with _some_ *emphasis*\n', n) + '- END' },
  { name: 'one loose list', kind: 'size', make: (n) => rep('- item\n\n', n) + '- END' },
  { name: 'one ordered list', kind: 'size', make: (n) => lines(n, (i) => `${i + 1}. item`) + ' END' },
  { name: 'one table', kind: 'size', make: (n) => '| a | b |\n|---|---|\n' + rep('| _a_ | *b* |\n', n) + '| END | x |' },
  { name: 'one block quote of many lines', kind: 'size', make: (n) => rep('> quoted line with *em*\n', n) + '> END' },
  { name: 'hard line breaks', kind: 'size', make: (n) => rep('a line  \n', n) + 'END' },
  { name: 'reference links', kind: 'size', make: (n) => '[r]: https://example.com\n\n' + rep('[a][r] ', n) + 'END' },
  { name: 'code fence that never closes', kind: 'size', make: (n) => '```ts\n' + rep('const a = b * c; // _x_ *y*\n', n) + 'END' },
  { name: 'html lines', kind: 'size', make: (n) => rep('<div><span>x</span></div>\n', n) + 'END' },
];

/** The corpus at a size every test can afford (12 KB: deep enough to overflow marked's stack). */
export const HOSTILE_MARKDOWN = HOSTILE_SHAPES.map((s) => ({ name: s.name, kind: s.kind, text: s.make(12_000) }));
