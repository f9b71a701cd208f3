/**
 * What a file is for, judged from its path (and, for minified code, its text):
 * tests, docs, generated or minified output and configuration rank below the
 * code they describe — a question about how something works wants the
 * implementation first — but stay findable. Pure.
 */
export const FILE_ROLES = ['code', 'test', 'docs', 'generated', 'config', 'types'] as const;
export type FileRole = (typeof FILE_ROLES)[number];

const TEST_DIR = /(?:^|\/)(?:__tests__|__mocks__|tests?|specs?|testing|testdata|test-?data|fixtures?|e2e|mocks?|benchmarks?|bench)\//i;
const TEST_FILE = /(?:[._-](?:test|spec|tests|specs|bench)\.[^/]+$)|(?:_test\.[^/]+$)|(?:(?:^|\/)test_[^/]+\.py$)|(?:(?:^|\/)conftest\.py$)|(?:Tests?\.(?:java|cs|kt|swift)$)/;
const DOCS_FILE = /\.(?:md|markdown|mdx|rst|txt|adoc|asciidoc|org|textile)$/i;
const DOCS_DIR = /(?:^|\/)(?:docs?|documentation|examples?|samples?|demos?|website|site)\//i;
const GENERATED = /(?:\.min\.[^/]+$)|(?:\.(?:map|snap|lock|pb\.go|generated\.[^/]+)$)|(?:(?:^|\/)(?:dist|build|out|vendor|third_party|generated|gen|coverage|\.next)\/)|(?:(?:^|\/)(?:package-lock\.json|yarn\.lock|pnpm-lock\.yaml|go\.sum|Cargo\.lock|poetry\.lock)$)/i;
const CONFIG = /\.(?:json|jsonc|ya?ml|toml|ini|cfg|conf|xml|lock|properties|env\.example)$|(?:^|\/)\.[^/]+rc(?:\.[^/]+)?$/i;
const TYPES = /\.d\.[cm]?ts$/;

export function roleOfPath(path: string): FileRole {
  if (GENERATED.test(path)) return 'generated';
  if (TEST_DIR.test(path) || TEST_FILE.test(path)) return 'test';
  if (DOCS_FILE.test(path) || DOCS_DIR.test(path)) return 'docs';
  if (TYPES.test(path)) return 'types';
  if (CONFIG.test(path)) return 'config';
  return 'code';
}

/** Minified or machine-written text: very long lines on average, or one huge line. */
export function looksMinified(text: string): boolean {
  if (text.length < 2000) return false;
  let lines = 1;
  let longest = 0;
  let cur = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      lines++;
      if (cur > longest) longest = cur;
      cur = 0;
    } else cur++;
  }
  if (cur > longest) longest = cur;
  return text.length / lines > 300 || longest > 5000;
}
