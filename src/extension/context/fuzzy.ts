/**
 * Fuzzy file matching in the spirit of Quick Open: the typed characters appear
 * in order in the path; a match in the file name beats one spread over folders,
 * a run of consecutive characters and a match at the start of a word count
 * extra, and shorter paths win ties. Spaces separate terms that must all match.
 * Pure.
 */

function isBoundary(text: string, i: number): boolean {
  if (i === 0) return true;
  const prev = text[i - 1]!;
  const c = text[i]!;
  return prev === '/' || prev === '\\' || prev === '_' || prev === '-' || prev === '.' || prev === ' ' || (prev >= 'a' && prev <= 'z' && c >= 'A' && c <= 'Z');
}

function isSubsequence(query: string, lower: string, from: number): boolean {
  let at = from;
  for (const ch of query) {
    at = lower.indexOf(ch, at);
    if (at < 0) return false;
    at++;
  }
  return true;
}

/** Score of `query` (lower case, no spaces) as a subsequence of `text`, or -1. Greedy, preferring word starts. */
function subsequenceScore(query: string, text: string): number {
  const lower = text.toLowerCase();
  let score = 0;
  let from = 0;
  let prev = -2;
  for (let k = 0; k < query.length; k++) {
    const ch = query[k]!;
    let at = lower.indexOf(ch, from);
    if (at < 0) return -1;
    // Prefer a later occurrence at a word start (within the same folder or name), if the rest still matches after it.
    if (at !== prev + 1 && !isBoundary(text, at)) {
      for (let j = at + 1; j < lower.length && lower[j] !== '/'; j++) {
        if (lower[j] === ch && isBoundary(text, j)) {
          if (isSubsequence(query.slice(k + 1), lower, j + 1)) at = j;
          break;
        }
      }
    }
    score += 1;
    if (at === prev + 1) score += 5;
    if (isBoundary(text, at)) score += 8;
    prev = at;
    from = at + 1;
  }
  return score;
}

function termScore(term: string, path: string, name: string): number {
  const lowerName = name.toLowerCase();
  const idx = lowerName.indexOf(term);
  if (idx >= 0) return 1000 + (idx === 0 ? 200 : 0) + (lowerName === term ? 300 : 0) - idx;
  const inName = subsequenceScore(term, name);
  if (inName >= 0) return 500 + inName;
  const lowerPath = path.toLowerCase();
  const sub = lowerPath.indexOf(term);
  if (sub >= 0) return 300 - Math.min(sub, 100) / 10;
  const inPath = subsequenceScore(term, path);
  return inPath >= 0 ? 100 + inPath : -1;
}

/** How well `query` matches a workspace-relative path (higher is better), or -1 for no match. */
export function fuzzyScore(query: string, path: string): number {
  const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (terms.length === 0) return 0;
  const name = path.slice(path.lastIndexOf('/') + 1);
  let total = 0;
  for (const t of terms) {
    const s = termScore(t, path, name);
    if (s < 0) return -1;
    total += s;
  }
  return total;
}

/** The best `limit` items for the query, best first (ties: shorter path, then alphabetical). */
export function rankPaths<T extends { path: string }>(query: string, items: readonly T[], limit: number): T[] {
  const scored: { item: T; score: number }[] = [];
  for (const item of items) {
    const score = fuzzyScore(query, item.path);
    if (score >= 0) scored.push({ item, score });
  }
  scored.sort((a, b) => b.score - a.score || a.item.path.length - b.item.path.length || (a.item.path < b.item.path ? -1 : 1));
  return scored.slice(0, limit).map((s) => s.item);
}
