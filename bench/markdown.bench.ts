// Hostile markdown benchmark: every shape of the pathological corpus
// (test/webview/corpus.ts: nesting that overflows marked's stack, shapes that make
// it quadratic, single blocks a looping model never ends) through the real
// markdown code in Chromium, at several sizes, finished (a reopened session) and
// streamed (a chunk of text per update, as paints arrive).
//
//   npm run bench -- markdown
//
// Budget: no lexer call (one call lexes at most one 16 KB window, so at most one
// block's worth, or a fenced code block) and no streaming update may take more
// than 50 ms. The bench prints per-shape timings and exits 1 if any shape is over.
// Each call and update is timed ROUNDS times and its fastest time counts (the machine
// is shared: a stall hits one run, a slow call is slow in all). For comparison it also times marked alone on the 12 KB text (before
// this fix): a stack overflow, or the time it took; and how long Chromium takes to
// show the finished 50 KB reply (render + layout), which is reported, not checked.
import os from 'node:os';
import { benchPage } from './benchPage';
import { launchChromium } from '../test/browser/chromium';

const BUDGET_MS = 50;
const SIZES = (process.env.BENCH_SIZES ?? '12000,50000,200000').split(',').map(Number);
/** Streaming is measured at this size, in updates of STREAM_CHUNK characters. */
const STREAM_SIZE = Number(process.env.BENCH_STREAM_SIZE ?? 50_000);
const STREAM_CHUNK = 256;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ONLY = process.env.BENCH_SHAPE;
const FUZZ_SEED = Number(process.env.BENCH_FUZZ_SEED ?? 13);
const FUZZ_COUNT = Number(process.env.BENCH_FUZZ_COUNT ?? 400);
const FUZZ_SHOW = 8;

const ENTRY = `
import { h, render } from 'preact';
import { Lexer } from 'marked';
import { ActionsContext } from './webview/components/context';
import { Markdown } from './webview/components/Markdown';
import { MarkdownBlocks } from './webview/markdown/blocks';
import { lexMarkdown } from './webview/markdown/lexer';
import { HOSTILE_SHAPES } from './test/webview/corpus';
import './webview/styles.css';

window.remeasure = (unit) => {
  const text = unit.repeat(Math.max(1, Math.floor(16000 / unit.length)));
  const calls = [];
  new MarkdownBlocks(timedLex(calls)).finish(text);
  return calls;
};

window.shapes = () => HOSTILE_SHAPES.map((s) => ({ name: s.name, kind: s.kind }));

/** marked alone on the text: the time it took, or the error it threw. */
window.markedAlone = (i, size) => {
  const text = HOSTILE_SHAPES[i].make(size);
  const t0 = performance.now();
  try {
    new Lexer({ gfm: true }).lex(text);
    return { ms: performance.now() - t0 };
  } catch (e) {
    return { ms: performance.now() - t0, error: e instanceof RangeError ? 'stack overflow' : String(e).slice(0, 40) };
  }
};

function timedLex(calls) {
  return (src, links) => {
    const t0 = performance.now();
    try {
      return lexMarkdown(src, links);
    } finally {
      calls.push(performance.now() - t0);
    }
  };
}

/** Finished, in one go: every lexer call's time. */
window.finished = (i, size) => {
  const text = HOSTILE_SHAPES[i].make(size);
  const calls = [];
  const t0 = performance.now();
  const blocks = new MarkdownBlocks(timedLex(calls)).finish(text);
  const total = performance.now() - t0;
  if (blocks.map((b) => b.raw).join('') !== text) throw new Error('blocks lost text');
  const plain = blocks.filter((b) => b.token.type === 'plain').length;
  return { calls, total, blocks: blocks.length, plain };
};

/** Streamed: chunk characters per update; the worst update and the worst lexer call in it. */
window.streamed = (i, size, chunk) => {
  const text = HOSTILE_SHAPES[i].make(size);
  const calls = [];
  const s = new MarkdownBlocks(timedLex(calls));
  const updates = [];
  for (let at = chunk; at < text.length + chunk; at += chunk) {
    const t0 = performance.now();
    s.update(text.slice(0, Math.min(at, text.length)));
    updates.push(performance.now() - t0);
  }
  const t0 = performance.now();
  s.finish(text);
  updates.push(performance.now() - t0);
  return { updates, calls };
};

/**
 * Random shapes (seeded): a unit of 1-5 characters of markdown punctuation, with or
 * without letters and blanks around it, repeated to size: where marked's quadratic
 * paths live. Returns the worst lexer call of each, costliest first.
 */
window.fuzz = (seed, count, size) => {
  const PUNCT = '_*~[]\`!<>\\\\().:|#-'.split('');
  const rnd = (n) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const out = [];
  for (let k = 0; k < count; k++) {
    let unit = '';
    for (let i = 1 + rnd(5); i > 0; i--) unit += PUNCT[rnd(PUNCT.length)];
    const pad = Array.from({ length: [0, 0, 1, 2, 4, 8][rnd(6)] }, () => 'ab \\n'[rnd(4)]).join('');
    const u = rnd(2) ? unit + pad : pad + 'a' + unit;
    const text = u.repeat(Math.max(1, Math.floor(size / u.length)));
    const calls = [];
    new MarkdownBlocks(timedLex(calls)).finish(text);
    out.push({ unit: u, worstCall: Math.max(0, ...calls) });
  }
  return out.sort((a, b) => b.worstCall - a.worstCall);
};

/** The finished reply rendered into the page and laid out: what the user waits for. */
window.show = (i, size) => {
  const text = HOSTILE_SHAPES[i].make(size);
  const el = document.getElementById('root');
  render(null, el);
  const t0 = performance.now();
  render(h(ActionsContext.Provider, { value: { post() {}, local() {}, editor: false } }, h('div', { class: 'messages' }, h('div', { class: 'message message-assistant' }, h(Markdown, { text, streaming: false })))), el);
  void el.offsetHeight;
  const ms = performance.now() - t0;
  const shown = el.textContent.length;
  render(null, el);
  return { ms, shown };
};
`;

async function buildPage(): Promise<string> {
  return benchPage({ entry: ENTRY, name: 'bench-markdown', rootStyle: 'height:700px;overflow:auto' });
}

interface Finished {
  calls: number[];
  total: number;
  blocks: number;
  plain: number;
}
interface Streamed {
  updates: number[];
  calls: number[];
}

/**
 * Element by element, the fastest of several runs of the same work: a stall (GC, the
 * OS) rarely hits the same call in every run, a call that is really slow is slow in
 * all of them.
 */
function fastest(runs: number[][]): number[] {
  return runs[0]!.map((_, i) => Math.min(...runs.map((r) => r[i] ?? Number.POSITIVE_INFINITY)));
}
const worstOf = (xs: number[]) => Math.max(0, ...xs);

async function main(): Promise<void> {
  const html = await buildPage();
  const browser = await launchChromium();
  const lines: string[] = [];
  const fuzzLines: string[] = [];
  const over: string[] = [];
  try {
    const page = await browser.newPage({ viewport: { width: 900, height: 760 } });
    await page.setContent(html);
    const ev = <T>(fn: string, ...args: unknown[]) =>
      page.evaluate(([f, a]) => (window as unknown as Record<string, (...x: unknown[]) => unknown>)[f as string]!(...(a as unknown[])), [fn, args] as const) as Promise<T>;
    const shapes = await ev<Array<{ name: string; kind: string }>>('shapes');
    // Warm the JIT on ordinary text first.
    for (let k = 0; k < 3; k++) await ev('finished', shapes.findIndex((s) => s.name === 'one paragraph, no blank line'), 50_000);
    const rounds = async <T>(fn: string, ...args: unknown[]): Promise<T[]> => {
      const out: T[] = [];
      for (let r = 0; r < ROUNDS; r++) out.push(await ev<T>(fn, ...args));
      return out;
    };

    lines.push('| shape | kind | marked alone, 12 KB (before) | size | lexer calls | worst call (ms) | all calls (ms) | plain blocks | streamed 50 KB: worst update (ms) | shown in Chromium (ms) | ≤ 50 ms |');
    lines.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|');
    for (let i = 0; i < shapes.length; i++) {
      const { name, kind } = shapes[i]!;
      if (ONLY && !name.includes(ONLY)) continue;
      const before = await ev<{ ms: number; error?: string }>('markedAlone', i, 12_000);
      const s = await rounds<Streamed>('streamed', i, STREAM_SIZE, STREAM_CHUNK);
      const stream = { worstUpdate: worstOf(fastest(s.map((x) => x.updates))), worstCall: worstOf(fastest(s.map((x) => x.calls))) };
      for (const size of SIZES) {
        const fr = await rounds<Finished>('finished', i, size);
        const f = { ...fr[0]!, calls: fr[0]!.calls.length, worstCall: worstOf(fastest(fr.map((x) => x.calls))), total: Math.min(...fr.map((x) => x.total)) };
        const shown = size === STREAM_SIZE ? Math.min(...(await rounds<{ ms: number }>('show', i, size)).map((x) => x.ms)) : undefined;
        const streamCol = size === STREAM_SIZE ? `${stream.worstUpdate.toFixed(1)} (lexer ${stream.worstCall.toFixed(1)})` : '';
        const worst = Math.max(f.worstCall, size === STREAM_SIZE ? stream.worstUpdate : 0);
        const ok = worst <= BUDGET_MS;
        if (!ok) over.push(`${name} at ${size} chars: ${worst.toFixed(1)} ms`);
        const beforeCol = size === SIZES[0] ? (before.error ? `${before.error} after ${before.ms.toFixed(0)} ms` : `${before.ms.toFixed(0)} ms`) : '';
        lines.push(
          `| ${size === SIZES[0] ? name : ''} | ${size === SIZES[0] ? kind : ''} | ${beforeCol} | ${(size / 1000).toFixed(0)} KB | ${f.calls} | ${f.worstCall.toFixed(1)} | ${f.total.toFixed(1)} | ${f.plain} | ${streamCol} | ${shown !== undefined ? shown.toFixed(0) : ''} | ${ok ? 'yes' : '**no**'} |`,
        );
        console.error(`[markdown bench] ${name}, ${size} chars: ${f.calls} lexer calls, worst ${f.worstCall.toFixed(1)} ms, all ${f.total.toFixed(1)} ms${size === STREAM_SIZE ? `; streamed worst update ${stream.worstUpdate.toFixed(1)} ms; shown in ${shown!.toFixed(0)} ms` : ''}`);
      }
    }
    // Random shapes: the costliest ones found are measured again, ROUNDS times, before they count.
    if (!ONLY) {
      const found = await ev<Array<{ unit: string; worstCall: number }>>('fuzz', FUZZ_SEED, FUZZ_COUNT, 16_000);
      fuzzLines.push(`Random shapes (seed ${FUZZ_SEED}): ${FUZZ_COUNT} units of markdown punctuation repeated to 16 KB; the ${FUZZ_SHOW} costliest, measured again:\n`);
      fuzzLines.push('| unit (repeated) | worst lexer call (ms) | ≤ 50 ms |');
      fuzzLines.push('|---|---:|---|');
      for (const f of found.slice(0, FUZZ_SHOW)) {
        const worst = worstOf(fastest(await rounds<number[]>('remeasure', f.unit)));
        const ok = worst <= BUDGET_MS;
        if (!ok) over.push(`random shape ${JSON.stringify(f.unit)}: ${worst.toFixed(1)} ms`);
        fuzzLines.push(`| \`${JSON.stringify(f.unit)}\` | ${worst.toFixed(1)} | ${ok ? 'yes' : '**no**'} |`);
      }
      console.error(`[markdown bench] ${FUZZ_COUNT} random shapes: worst lexer call ${found[0]?.worstCall.toFixed(1)} ms`);
    }
  } finally {
    await browser.close();
  }
  console.log(`\n### Hostile markdown (Chromium headless; load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores; fastest of ${ROUNDS} runs per call)\n`);
  console.log(`Budget: every lexer call (≤ 16 KB, i.e. at most one block or one fenced code block) and every streaming update (${STREAM_CHUNK} characters more) ≤ ${BUDGET_MS} ms.\n`);
  for (const l of lines) console.log(l);
  if (fuzzLines.length) console.log('');
  for (const l of fuzzLines) console.log(l);
  if (over.length) {
    console.log(`\nOVER BUDGET: ${over.join('; ')}`);
    process.exitCode = 1;
  } else {
    console.log('\nEvery shape within budget.');
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
