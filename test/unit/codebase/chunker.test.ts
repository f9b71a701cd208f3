import assert from 'node:assert/strict';
import { chunkFile, MAX_CHUNK_LINES } from '../../../src/shared/codebase/chunker';
import { FIXTURES, linesOf } from './syntaxFixtures';

const lines = (s: string) => s.split('\n');
const find = (chunks: ReturnType<typeof chunkFile>, symbol: string) => chunks.find((c) => c.symbol === symbol);

describe('codebase chunker', () => {
  it('chunks TypeScript by function, class and method, with the doc comment and the container', () => {
    const src = linesOf(FIXTURES['src/retry.ts']!);
    const c = chunkFile('src/retry.ts', src);
    const parse = find(c, 'parseHeader')!;
    assert.equal(parse.startLine, 3, 'the doc comment belongs to the function');
    assert.equal(parse.endLine, 7, 'up to the next definition');
    assert.equal(find(c, 'onError')?.container, 'RetryHandler');
    assert.equal(find(c, 'constructor')?.container, 'RetryHandler');
    assert.ok(find(c, 'backoff'));
    assert.equal(c[0]!.symbol, null, 'the imports form a header chunk');
    // Chunks cover the file in order without overlap.
    for (let i = 1; i < c.length; i++) assert.equal(c[i]!.startLine, c[i - 1]!.endLine + 1);
    assert.equal(c[c.length - 1]!.endLine, src.length);
  });

  it('chunks Python by def and class, methods inside their class', () => {
    const c = chunkFile('app/sessions.py', lines(`import hmac


class SecureCookieSessionInterface:
    salt = "cookie-session"

    def open_session(self, app, request):
        s = self.get_signing_serializer(app)
        if s is None:
            return None
        return s

    def save_session(self, app, session, response):
        response.set_cookie(app.name)
        return None


def total_seconds(td):
    return td.days * 86400
`));
    assert.equal(find(c, 'open_session')?.container, 'SecureCookieSessionInterface');
    assert.equal(find(c, 'total_seconds')?.container, null);
  });

  it("takes a Go method's receiver as its container", () => {
    const c = chunkFile('tree.go', lines(`package gin

func (n *node) addRoute(path string, handlers HandlersChain) {
\tfullPath := path
\tn.priority++
\t_ = fullPath
}

func longestCommonPrefix(a, b string) int {
\treturn 0
}
`));
    assert.equal(find(c, 'addRoute')?.container, 'node');
    assert.ok(find(c, 'longestCommonPrefix'));
  });

  it('chunks Markdown by heading, ignoring # inside fences', () => {
    const c = chunkFile('README.md', lines('# Title\nintro\n\n## Install\nnpm i\n```sh\n# not a heading\n```\n## Use\ntext'));
    assert.deepEqual(c.map((x) => x.symbol), ['Title', 'Install', 'Use']);
  });

  it('cuts a long definition into windows that keep its symbol, and windows other text', () => {
    const body = Array.from({ length: 200 }, (_, i) => `  step${i}();`).join('\n');
    const c = chunkFile('a.js', lines(`function huge() {\n${body}\n}`));
    assert.ok(c.length >= 3);
    assert.ok(c.every((x) => x.symbol === 'huge' && x.endLine - x.startLine + 1 <= MAX_CHUNK_LINES));
    const t = chunkFile('notes.txt', lines(Array.from({ length: 120 }, () => 'x').join('\n')));
    assert.equal(t.length, 3);
    assert.deepEqual(chunkFile('empty.ts', []), []);
  });
});
