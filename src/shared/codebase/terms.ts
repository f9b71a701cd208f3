/**
 * Words of code and of questions, reduced to the same terms: identifiers split
 * (`parseHTTPHeader` → parse, http, header, and the whole `parsehttpheader`;
 * `snake_case` likewise), lower-cased, lightly stemmed (handler / handled /
 * handles → handl), so a question in English meets the code that answers it.
 * A question's filler words ("where is the … set up?") are dropped. Pure.
 */

/** Question words that say nothing about which code answers it. */
const QUESTION_FILLER = new Set(
  (
    'a an the is are was were be been being am do does did doing done have has had having ' +
    'i me my we our you your it its they them their this that these those there here ' +
    'what which who whom whose where when why how whether ' +
    'of in on at to for from by with about into onto over under between through during within without ' +
    'and or but if then than so as also too very just only any some all each every both either ' +
    'can could would should will shall may might must please ' +
    'find show tell explain look located locate live lives happen happens happening ' +
    'code codebase function functions method methods class classes file files module modules logic ' +
    'implement implemented implementation implements defined define definition defines ' +
    'place part piece thing things way ways work works done gets got actually exactly ' +
    'repo repository project library lib source'
  ).split(' '),
);

/** Splits one identifier into its words: `parseHTTPHeader2` → parse, HTTP, Header, 2. */
export function splitIdentifier(id: string): string[] {
  return id.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+/g) ?? [];
}

/** A light English stemmer for code words: plurals, -ing, -ed, -er, -ion, a final e. Only words of 4+ letters change. */
export function stem(word: string): string {
  let w = word;
  if (w.length <= 3 || /\d/.test(w)) return w;
  if (w.endsWith('ies') && w.length > 4) w = w.slice(0, -3) + 'y';
  else if (/(?:ss|x|z|ch|sh)es$/.test(w)) w = w.slice(0, -2);
  else if (w.endsWith('s') && !/(?:ss|us|is)$/.test(w)) w = w.slice(0, -1);
  if (w.length > 5 && w.endsWith('ing')) w = undouble(w.slice(0, -3));
  else if (w.length > 4 && w.endsWith('ed')) w = undouble(w.slice(0, -2));
  if (w.length > 5 && /[ts]ion$/.test(w)) w = w.slice(0, -3);
  if (w.length > 4 && w.endsWith('er')) w = w.slice(0, -2);
  if (w.length > 3 && w.endsWith('e')) w = w.slice(0, -1);
  return w;
}

function undouble(w: string): string {
  return /([b-df-hj-np-tv-z])\1$/.test(w) && !/(?:ll|ss|zz)$/.test(w) ? w.slice(0, -1) : w;
}

const IDENT = /[A-Za-z_$][A-Za-z0-9_$]*|\d+/g;

/** An identifier's terms: its words, stemmed, then the whole identifier when it has several words. */
function identifierTerms(id: string): string[] {
  const out: string[] = [];
  if (id.length > 64) return out; // hashes, base64, minified blobs: no one asks for them
  const parts = splitIdentifier(id);
  if (parts.length === 0) return out;
  if (parts.length === 1) {
    const p = parts[0]!;
    if (p.length < 2 || (p.length < 3 && /\d/.test(p))) return out;
    out.push(stem(p.toLowerCase()));
    return out;
  }
  for (const p of parts) {
    if (p.length < 2 || /^\d+$/.test(p)) continue;
    out.push(stem(p.toLowerCase()));
  }
  out.push(id.toLowerCase().replace(/[_$]/g, ''));
  return out;
}

/**
 * Identifiers seen lately and their terms: code repeats its identifiers, and
 * splitting, lower-casing and stemming each occurrence anew was most of what
 * indexing allocated (work for the garbage collector on the caller's thread).
 * Cleared when full; keys are copies, so no file's text is kept alive.
 */
const recent = new Map<string, readonly string[]>();
const RECENT_MAX = 20_000;

/**
 * Calls `emit` for every term of `text`, in order: each identifier's words,
 * stemmed, then the whole identifier when it has several words (so an exact
 * symbol name scores above its parts). Numbers of 1-2 digits are skipped.
 */
export function forEachTerm(text: string, emit: (term: string) => void): void {
  IDENT.lastIndex = 0;
  for (let m = IDENT.exec(text); m; m = IDENT.exec(text)) {
    const id = m[0];
    let terms = recent.get(id);
    if (!terms) {
      terms = identifierTerms(id);
      if (recent.size >= RECENT_MAX) recent.clear();
      recent.set((' ' + id).slice(1), terms);
    }
    for (let i = 0; i < terms.length; i++) emit(terms[i]!);
  }
}

/** All terms of a text with their counts. */
export function termCounts(text: string, into: Map<string, number> = new Map()): Map<string, number> {
  forEachTerm(text, (t) => into.set(t, (into.get(t) ?? 0) + 1));
  return into;
}

/** Words that ask for tests or docs, which are otherwise ranked below the code they describe. */
const ASKS_FOR_TESTS = new Set(['test', 'tests', 'tested', 'testing', 'spec', 'specs', 'fixture', 'fixtures', 'mock', 'mocks']);
const ASKS_FOR_DOCS = new Set(['doc', 'docs', 'documentation', 'documented', 'readme', 'guide', 'tutorial', 'changelog', 'example', 'examples']);

export interface QueryTerms {
  /** Distinct terms, filler dropped. */
  terms: string[];
  /** The question asks about tests / documentation: don't rank those below code. */
  wantsTests: boolean;
  wantsDocs: boolean;
}

/** The terms of a developer's question. If every word is filler, the words are kept (a search for "where" still finds "where"). */
export function queryTerms(question: string): QueryTerms {
  const words = question.match(/[A-Za-z_$][A-Za-z0-9_$]*|\d+/g) ?? [];
  const lower = words.map((w) => w.toLowerCase());
  const kept = words.filter((w) => !QUESTION_FILLER.has(w.toLowerCase()));
  const terms = new Set<string>();
  for (const w of kept.length ? kept : words) forEachTerm(w, (t) => terms.add(t));
  return {
    terms: [...terms],
    wantsTests: lower.some((w) => ASKS_FOR_TESTS.has(w)),
    wantsDocs: lower.some((w) => ASKS_FOR_DOCS.has(w)),
  };
}
