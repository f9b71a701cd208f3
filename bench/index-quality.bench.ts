/**
 * Retrieval quality of the codebase index: developer questions over real
 * repositories (bench/indexQuestions.ts), counted as a hit when a file that
 * answers the question is among the first 5 results of a search — the same
 * search GET /search answers. Reports hit@5 (and hit@1, MRR) for a plain
 * whole-file BM25 (the baseline) and for the index's ranking, per repository
 * and overall. Fails when the index's overall hit@5 is under 90 %.
 * Repositories under $EVAL are read from HEARTH_EVAL_REPOS when set (skipped
 * otherwise, and said).
 * Run: npm run bench -- index-quality   (--verbose lists the misses)
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { CodebaseIndex } from '../src/shared/codebase/codebaseIndex';
import { NodeFileSource } from '../src/gateway/codebase/nodeFileSource';
import { nodeSyntaxChunker } from '../src/gateway/codebase/treeSitter';
import { EVAL_REPOS } from './indexQuestions';
import { DEFAULT_TUNING, type RankingTuning } from '../src/shared/codebase/lexicalIndex';

const K = 5;
const TARGET = 0.9;
const verbose = process.argv.includes('--verbose');
/** --sweep: also tries a grid of ranking parameters and prints the best (for tuning; beware fitting these questions). */
const sweep = process.argv.includes('--sweep');
type Lexical = { has(p: string): boolean; tuning: RankingTuning };
const lexicalOf = (i: CodebaseIndex) => (i as unknown as { lexical: Lexical }).lexical;
const sweepRuns: { index: CodebaseIndex; questions: { q: string; answers: string[] }[] }[] = [];

/** Plain BM25 over whole files: lower-cased words, no splitting, stemming, fields or roles. */
class WholeFileBm25 {
  private docs: { path: string; tf: Map<string, number>; len: number }[] = [];
  private df = new Map<string, number>();
  add(p: string, text: string) {
    const tf = new Map<string, number>();
    let len = 0;
    for (const w of text.toLowerCase().match(/[a-z0-9_]+/g) ?? []) {
      tf.set(w, (tf.get(w) ?? 0) + 1);
      len++;
    }
    for (const t of tf.keys()) this.df.set(t, (this.df.get(t) ?? 0) + 1);
    this.docs.push({ path: p, tf, len });
  }
  search(q: string, k: number): string[] {
    const terms = [...new Set(q.toLowerCase().match(/[a-z0-9_]+/g) ?? [])];
    const n = this.docs.length;
    const avg = this.docs.reduce((a, d) => a + d.len, 0) / n;
    return this.docs
      .map((d) => {
        let s = 0;
        for (const t of terms) {
          const f = d.tf.get(t);
          if (!f) continue;
          const df = this.df.get(t)!;
          const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
          s += (idf * f * 2.2) / (f + 1.2 * (0.25 + (0.75 * d.len) / avg));
        }
        return { p: d.path, s };
      })
      .filter((x) => x.s > 0)
      .sort((a, b) => b.s - a.s)
      .slice(0, k)
      .map((x) => x.p);
  }
}

interface Score {
  n: number;
  hit: number;
  hit1: number;
  rr: number;
}
const empty = (): Score => ({ n: 0, hit: 0, hit1: 0, rr: 0 });
function count(s: Score, ranked: string[], answers: string[]): boolean {
  s.n++;
  const i = ranked.findIndex((p) => answers.includes(p));
  if (i >= 0 && i < K) s.hit++;
  if (i === 0) s.hit1++;
  if (i >= 0) s.rr += 1 / (i + 1);
  return i >= 0 && i < K;
}
const pct = (x: number, n: number) => `${((100 * x) / Math.max(1, n)).toFixed(1)} %`;

async function main() {
  const project = path.resolve(__dirname, '..');
  const evalDir = process.env.HEARTH_EVAL_REPOS;
  const totalBase = empty();
  const totalOurs = empty();
  for (const repo of EVAL_REPOS) {
    let root = repo.root.startsWith('$EVAL/') ? (evalDir ? path.join(evalDir, repo.root.slice(6)) : '') : path.join(project, repo.root);
    if (!root || !existsSync(root)) {
      console.log(`${repo.name}: skipped (${repo.root} not present${repo.root.startsWith('$EVAL') ? '; set HEARTH_EVAL_REPOS' : ''})`);
      continue;
    }
    root = path.resolve(root);
    const source = new NodeFileSource(root);
    // --regex: the definition-line chunker alone (what tree-sitter's chunks are compared with).
    const index = new CodebaseIndex({ source, sliceMs: 1000, ...(process.argv.includes('--regex') ? {} : { chunker: nodeSyntaxChunker((m) => console.log(m)) }) });
    const t0 = performance.now();
    await index.start();
    const ms = performance.now() - t0;
    const st = index.state();
    // The baseline sees the same files.
    const base = new WholeFileBm25();
    const files: string[] = [];
    const walk = async (dir: string) => {
      for (const e of await source.readDir(dir)) {
        const rel = dir ? `${dir}/${e.name}` : e.name;
        if (e.type === 'dir') await walk(rel);
        else if (e.type === 'file') files.push(rel);
      }
    };
    await walk('');
    const indexed = new Set(files.filter((f) => lexicalOf(index).has(f)));
    for (const f of indexed) base.add(f, new TextDecoder().decode(await source.read(f)));
    const b = empty();
    const o = empty();
    for (const { q, answers } of repo.questions) {
      count(b, base.search(q, K), answers);
      const results = await index.search(q, { limit: 10 });
      const ranked = [...new Set(results.map((r) => r.path))];
      const hit = count(o, ranked, answers);
      if (verbose && !hit) console.log(`  miss: ${q}\n    want ${answers.join(' | ')}\n    got  ${ranked.slice(0, K).join(', ')}`);
    }
    for (const [t, s] of [[totalBase, b], [totalOurs, o]] as const) {
      t.n += s.n;
      t.hit += s.hit;
      t.hit1 += s.hit1;
      t.rr += s.rr;
    }
    console.log(`${repo.name}: ${st.indexed_files} files, ${st.chunks} chunks in ${ms.toFixed(0)} ms — hit@5 baseline ${pct(b.hit, b.n)}, index ${pct(o.hit, o.n)} (hit@1 ${pct(o.hit1, o.n)}, MRR ${(o.rr / o.n).toFixed(2)}) over ${o.n} questions`);
    if (sweep) sweepRuns.push({ index, questions: repo.questions });
    else index.dispose();
  }
  if (sweep) await runSweep();
  console.log(`\nall: ${totalOurs.n} questions — whole-file BM25 hit@5 ${pct(totalBase.hit, totalBase.n)} (hit@1 ${pct(totalBase.hit1, totalBase.n)}); index hit@5 ${pct(totalOurs.hit, totalOurs.n)} (hit@1 ${pct(totalOurs.hit1, totalOurs.n)}, MRR ${(totalOurs.rr / Math.max(1, totalOurs.n)).toFixed(2)}); target ≥ ${TARGET * 100} %`);
  if (totalOurs.n === 0 || totalOurs.hit / totalOurs.n < TARGET) process.exit(1);
}

async function runSweep() {
  const grid: Partial<Record<keyof RankingTuning, number[]>> = { pathWeight: [0.8, 1.2, 2, 3], symbolWeight: [1.5, 3, 5], coveragePower: [1, 1.5, 2.5], secondChunk: [0.15, 0.3, 0.6], b: [0.4, 0.6, 0.8] };
  const keys = Object.keys(grid) as (keyof RankingTuning)[];
  const results: { t: RankingTuning; hit: number; rr: number }[] = [];
  const rec = async (i: number, t: RankingTuning): Promise<void> => {
    if (i === keys.length) {
      let hit = 0;
      let rr = 0;
      for (const run of sweepRuns) {
        lexicalOf(run.index).tuning = t;
        for (const { q, answers } of run.questions) {
          const ranked = [...new Set((await run.index.search(q, { limit: 10 })).map((r) => r.path))];
          const at = ranked.findIndex((p) => answers.includes(p));
          if (at >= 0 && at < K) hit++;
          if (at >= 0) rr += 1 / (at + 1);
        }
      }
      results.push({ t, hit, rr });
      return;
    }
    for (const v of grid[keys[i]!]!) await rec(i + 1, { ...t, [keys[i]!]: v });
  };
  await rec(0, DEFAULT_TUNING);
  results.sort((a, b) => b.hit - a.hit || b.rr - a.rr);
  for (const r of results.slice(0, 12)) console.log(`sweep: hit@5 ${r.hit}, MRR-sum ${r.rr.toFixed(1)}: ${JSON.stringify(r.t)}`);
  for (const run of sweepRuns) run.index.dispose();
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
