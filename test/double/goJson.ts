/**
 * JSON as Go's encoding/json writes it: `<`, `>`, `&`, U+2028 and U+2029 escaped.
 * Ollama is a Go server, so clients must parse JSON rather than match raw bytes.
 */
const GO_ESCAPED = /[<>&\u2028\u2029]/g;
const ESCAPES: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };

export function goJson(value: unknown): string {
  const text = JSON.stringify(value);
  // Long replies are built line by line: skip the replace when there is nothing to escape.
  GO_ESCAPED.lastIndex = 0;
  return GO_ESCAPED.test(text) ? text.replace(GO_ESCAPED, (c) => ESCAPES[c]!) : text;
}

let lastMs = -1;
let lastText = '';
/** Ollama's created_at: RFC 3339 with nanoseconds. */
export function goTime(ms = Date.now()): string {
  if (ms !== lastMs) {
    lastMs = ms;
    lastText = new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
  }
  return lastText;
}
