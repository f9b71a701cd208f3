import assert from 'node:assert/strict';
import fc from 'fast-check';
import { NdjsonDecoder, NdjsonError, readNdjson } from '../../../src/gateway/net/ndjson';
import { goJson } from '../../double';

const enc = new TextEncoder();

/** Decodes `bytes` cut at the given offsets; returns values and the error, if any. */
function decodeChunked(bytes: Uint8Array, cuts: number[], max?: number): { values: unknown[]; error?: NdjsonError } {
  const d = new NdjsonDecoder(max);
  const values: unknown[] = [];
  const sink = (v: unknown) => void values.push(v);
  const points = [...new Set(cuts.filter((c) => c > 0 && c < bytes.length))].sort((a, b) => a - b);
  let from = 0;
  try {
    for (const c of [...points, bytes.length]) {
      d.push(bytes.subarray(from, c), sink);
      from = c;
    }
    d.end(sink);
  } catch (e) {
    if (!(e instanceof NdjsonError)) throw e;
    return { values, error: e };
  }
  return { values };
}

describe('NDJSON decoder', () => {
  it('parses lines split across reads, several lines per read, and a last line without newline', () => {
    const bytes = enc.encode('{"a":1}\n{"b":\n2}\n{"c":3}\n{"d":4}');
    // Note the second "line" is split by a newline inside: that is two invalid lines in NDJSON terms.
    const good = enc.encode('{"a":1}\n{"b":2}\n{"c":3}\n{"d":4}');
    assert.deepEqual(decodeChunked(good, [3, 9, 10, 20]).values, [{ a: 1 }, { b: 2 }, { c: 3 }, { d: 4 }]);
    assert.equal(decodeChunked(bytes, []).error?.kind, 'malformed');
  });

  it('keeps a UTF-8 code point split across reads intact (one streaming TextDecoder)', () => {
    const text = '{"t":"é🔥世"}\n';
    const bytes = enc.encode(text);
    for (let i = 1; i < bytes.length; i++) {
      assert.deepEqual(decodeChunked(bytes, [i]).values, [{ t: 'é🔥世' }], `cut at ${i}`);
    }
    // Every byte on its own.
    assert.deepEqual(decodeChunked(bytes, [...bytes.keys()]).values, [{ t: 'é🔥世' }]);
  });

  it('parses Go-escaped <>& and tolerates CRLF and blank lines', () => {
    const bytes = enc.encode(goJson({ s: '<a href="x">&</a>' }) + '\r\n\n  \n{"n":1}\n');
    assert.deepEqual(decodeChunked(bytes, [5]).values, [{ s: '<a href="x">&</a>' }, { n: 1 }]);
  });

  it('reads a very long line (megabytes) in small reads', () => {
    const big = 'x'.repeat(3 * 1024 * 1024);
    const bytes = enc.encode(`{"big":"${big}"}\n{"after":true}\n`);
    const cuts = Array.from({ length: Math.floor(bytes.length / 65536) }, (_, i) => (i + 1) * 65536);
    const { values, error } = decodeChunked(bytes, cuts);
    assert.equal(error, undefined);
    assert.equal((values[0] as { big: string }).big.length, big.length);
    assert.deepEqual(values[1], { after: true });
  });

  it('refuses a line beyond the hard bound with a clear error, delivering the values before it', () => {
    const bytes = enc.encode(`{"ok":1}\n{"x":"${'y'.repeat(5000)}"}\n`);
    const split = decodeChunked(bytes, [100, 2000, 4000], 1024);
    assert.deepEqual(split.values, [{ ok: 1 }]);
    assert.equal(split.error?.kind, 'oversized');
    assert.match(split.error!.message, /longer than 1024|exceeds the 1024/);
    const whole = decodeChunked(bytes, [], 1024);
    assert.equal(whole.error?.kind, 'oversized');
  });

  it('reports a malformed line clearly, after the values before it', () => {
    const { values, error } = decodeChunked(enc.encode('{"a":1}\n{oops\n{"b":2}\n'), []);
    assert.deepEqual(values, [{ a: 1 }]);
    assert.equal(error?.kind, 'malformed');
    assert.match(error!.message, /not valid JSON arrived: \{oops/);
  });

  it('calls a cut-off last line incomplete, not malformed', () => {
    const { values, error } = decodeChunked(enc.encode('{"a":1}\n{"b":'), [3]);
    assert.deepEqual(values, [{ a: 1 }]);
    assert.equal(error?.kind, 'incomplete');
  });

  it('readNdjson yields values from an async byte stream, then throws on a bad line', async () => {
    async function* src() {
      yield enc.encode('{"a":1}\n{"b"');
      yield enc.encode(':2}\nnot json\n');
    }
    const seen: unknown[] = [];
    await assert.rejects(async () => {
      for await (const v of readNdjson(src())) seen.push(v);
    }, NdjsonError);
    assert.deepEqual(seen, [{ a: 1 }, { b: 2 }]);
  });

  it('property: any chunking of a valid stream gives the same values', () => {
    const value = fc.record({
      s: fc.string({ unit: fc.constantFrom('a', 'é', '🔥', '世', '<', '&', '\n', '"', '\\', ' ') }),
      n: fc.integer(),
      done: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 20 }), fc.array(fc.nat(2000), { maxLength: 30 }), fc.boolean(), (values, cuts, trailingNewline) => {
        const text = values.map((v) => goJson(v)).join('\n') + (trailingNewline ? '\n' : '');
        const bytes = enc.encode(text);
        const r = decodeChunked(bytes, cuts.map((c) => c % (bytes.length + 1)));
        assert.equal(r.error, undefined);
        assert.deepEqual(r.values, JSON.parse(JSON.stringify(values)));
      }),
      { numRuns: 300 },
    );
  });
});
