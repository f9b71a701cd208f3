// Render benchmark (issue 5): streams a long markdown answer token by token
// through the real webview code in Chromium and measures main-thread cost, for
// Hearth's renderer (frame-batched store, cached finished blocks) and for the
// naive approach (re-parse and re-render the whole answer on every token).
//
//   npm run bench -- render
//
// The page is the real App (components, store, markdown, highlight.js) behind
// the real VS Code host (every message validated), fed by a scripted
// acquireVsCodeApi: each token is one `event` message, dispatched as VS Code
// delivers them (a window 'message' event), at a fixed number of tokens per animation frame.
import * as esbuild from 'esbuild';
import os from 'node:os';
import path from 'node:path';
import type { CDPSession, Page } from 'playwright-core';
import { launchChromium } from '../test/browser/chromium';

const root = path.resolve(__dirname, '..');
/**
 * Feed rates, in tokens per animation frame (one message per token): 8 ≈ 480 tokens/s,
 * a fast local model; 64 ≈ 3 840 tokens/s, a replay or a very fast server, where the
 * stream outruns the display and batching does the most.
 */
const RATES = (process.env.BENCH_RATES ?? '8,64').split(',').map(Number);
const SIZES = (process.env.BENCH_SIZES ?? '2000,10000').split(',').map(Number);
/** The naive renderer is quadratic: measured up to here, then extrapolated. */
const NAIVE_SIZES = (process.env.BENCH_NAIVE_SIZES ?? '1000,2000').split(',').filter(Boolean).map(Number);

// ---------------------------------------------------------------- the answer

/** A deterministic markdown answer: headings, paragraphs, lists and code blocks. */
function answerTokens(count: number): string[] {
  const words = 'the model streams text while the user waits and every token must render quickly without freezing the editor or the panel'.split(' ');
  let seed = 7;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const sentence = (n: number) => Array.from({ length: n }, () => words[rnd(words.length)]).join(' ');
  const parts: string[] = [];
  for (let section = 0; parts.join('').length < count * 6; section++) {
    parts.push(`## Section ${section + 1}\n\n`);
    parts.push(`${sentence(30)}, with **bold**, \`inline code\` and a [link](https://example.com/${section}). ${sentence(25)}.\n\n`);
    parts.push(Array.from({ length: 5 }, (_, i) => `- item ${i + 1}: ${sentence(8)}\n`).join('') + '\n');
    parts.push(
      '```ts\n' +
        Array.from({ length: 12 }, (_, i) => `export function step${section}_${i}(input: number): number {\n  return input * ${i} + ${section}; // ${sentence(3)}\n}\n`).join('') +
        '```\n\n',
    );
    parts.push(`${sentence(40)}.\n\n`);
  }
  // Tokens of about four characters, as a tokenizer would cut them.
  const text = parts.join('');
  const tokens: string[] = [];
  for (const piece of text.match(/\s*\S{1,4}|\s+/g) ?? []) tokens.push(piece);
  return tokens.slice(0, count);
}

// ---------------------------------------------------------------- the page

const ENTRY = `
import { h, render } from 'preact';
import { App } from './webview/components/App';
import { ActionsContext } from './webview/components/context';
import { Markdown } from './webview/components/Markdown';
import { parseHostMessage } from './src/shared/protocol';
import { VsCodeHost } from './webview/host/vscodeHost';
import { lexMarkdown } from './webview/markdown/lexer';
import { renderBlock } from './webview/markdown/render';
import { Store } from './webview/state/store';
import './webview/styles.css';

const SID = 'sess-bench0001';
const RID = 'reply-bench001';
const send = (data) => window.dispatchEvent(new MessageEvent('message', { data }));

function snapshot() {
  return {
    type: 'snapshot',
    state: {
      sessions: [], current: null, models: [{ name: 'bench:1b', size: 1 }], selectedModel: 'bench:1b',
      connection: { status: 'ok', url: 'http://127.0.0.1:11434' }, capabilities: { editor: true, pull: false },
    },
  };
}

/** Frame gaps (rAF to rAF) while a run lasts: the longest is the worst frame the user saw. */
function frameWatch() {
  let last = 0, frames = 0, running = true;
  const gaps = [];
  const loop = (now) => {
    if (last) gaps.push(now - last);
    last = now;
    frames++;
    if (running) requestAnimationFrame(loop);
  };
  requestAnimationFrame(loop);
  return () => {
    running = false;
    gaps.sort((a, b) => a - b);
    return { frames, maxFrame: gaps[gaps.length - 1] ?? 0, p99Frame: gaps[Math.floor(gaps.length * 0.99)] ?? 0 };
  };
}

/**
 * Once-per-webview costs out of the way before measuring: JIT, and highlight.js
 * compiling a language's grammar the first time a block of it is highlighted.
 */
function warmUp(text) {
  const div = document.createElement('div');
  document.body.appendChild(div);
  render(h(ActionsContext.Provider, { value: { post() {}, local() {}, editor: true } }, h(Markdown, { text, streaming: false })), div);
  render(null, div);
  div.remove();
  parseHostMessage({ type: 'event', sessionId: SID, messageId: RID, event: { type: 'token', content: 'x' } });
}

/** Paced: perFrame tokens at the start of each animation frame. */
function paced(tokens, perFrame, perToken) {
  return new Promise((resolve) => {
    const stop = frameWatch();
    const t0 = performance.now();
    let i = 0;
    const tick = () => {
      if (i >= tokens.length) {
        requestAnimationFrame(() => requestAnimationFrame(() => resolve({ ...stop(), wallMs: performance.now() - t0 })));
        return;
      }
      requestAnimationFrame(tick);
      for (let k = 0; k < perFrame && i < tokens.length; k++) perToken(tokens[i++]);
    };
    requestAnimationFrame(tick);
  });
}


window.setupHearth = async (warm) => {
  warmUp(warm);
  const api = { postMessage() {}, getState() { return undefined; }, setState() {} };
  const host = new VsCodeHost(api);
  const store = new Store();
  render(h(App, { host, store }), document.getElementById('root'));
  // The app subscribes in an effect (as it says 'ready' to a real host): wait for it.
  await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  send(snapshot());
  send({
    type: 'turnStarted', sessionId: SID,
    userMessage: { id: 'user-bench0001', role: 'user', content: 'Explain everything', status: 'complete', created_at: 1 },
    assistantMessage: { id: RID, role: 'assistant', content: '', status: 'streaming', created_at: 1, model: 'bench:1b' },
  });
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 50))));
};

window.benchHearth = async (tokens, perFrame) => {
  const r = await paced(tokens, perFrame, (t) => send({ type: 'event', sessionId: SID, messageId: RID, event: { type: 'token', content: t } }));
  const text = document.querySelector('.message-assistant .md').textContent.length;
  const sc = document.querySelector('.messages');
  // The view must have followed the stream (it is the realistic, costlier case); it may trail by a frame or two.
  for (let f = 0; f < 120 && sc.scrollHeight - sc.scrollTop - sc.clientHeight > 50; f++) await new Promise((res) => requestAnimationFrame(res));
  if (sc.scrollHeight - sc.scrollTop - sc.clientHeight > 50) throw new Error('the view did not follow the stream: ' + (sc.scrollHeight - sc.scrollTop - sc.clientHeight));
  return { ...r, text };
};

window.setupNaive = async (warm) => warmUp(warm);
window.setupIdle = async () => {};

/** Nothing rendered: what the frame loop itself costs (baseline). */
window.benchIdle = async (tokens, perFrame) => ({ ...(await paced(tokens, perFrame, () => {})), text: 1e9 });

/** The naive way: every token re-parses the whole answer and re-renders every block. */
window.benchNaive = async (tokens, perFrame) => {
  const el = document.getElementById('root');
  const actions = { post() {}, local() {}, editor: true };
  let text = '';
  const r = await paced(tokens, perFrame, (t) => {
    text += t;
    const blocks = lexMarkdown(text).map((tok) => renderBlock(tok));
    render(h(ActionsContext.Provider, { value: actions }, h('div', { class: 'messages' }, h('div', { class: 'message message-assistant' }, h('div', { class: 'md' }, blocks)))), el);
  });
  return { ...r, text: el.textContent.length };
};
`;

async function buildPage(): Promise<string> {
  const out = await esbuild.build({
    stdin: { contents: ENTRY, resolveDir: root, loader: 'tsx', sourcefile: 'bench-entry.tsx' },
    bundle: true,
    minify: true,
    write: false,
    outdir: path.join(root, 'dist', 'bench-render'),
    platform: 'browser',
    target: ['chrome120'],
    format: 'iife',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'error',
  });
  const js = out.outputFiles.find((f) => f.path.endsWith('.js'))!.text;
  const css = out.outputFiles.find((f) => f.path.endsWith('.css'))?.text ?? '';
  return `<!doctype html><html class="hearth-browser"><head><meta charset="utf-8"><style>${css}</style></head><body><div id="root" style="height:700px"></div><script>${js.replace(/<\/script/gi, '<\\/script')}</script></body></html>`;
}

// ---------------------------------------------------------------- measuring

type Fn = 'benchHearth' | 'benchNaive' | 'benchIdle';

interface Result {
  tokens: number;
  mainThreadMs: number;
  scriptMs: number;
  layoutStyleMs: number;
  /** Paint, compositing, GC and other non-script, non-layout work. */
  otherMs: number;
  /** Longest rAF-to-rAF gap, or the longest Long Animation Frame if longer. */
  maxFrameMs: number;
  /** 99th percentile of the rAF-to-rAF gaps. */
  p99FrameMs: number;
  longFrames: number;
  frames: number;
  wallMs: number;
}

async function metrics(cdp: CDPSession): Promise<Record<string, number>> {
  const { metrics: list } = (await cdp.send('Performance.getMetrics')) as { metrics: Array<{ name: string; value: number }> };
  return Object.fromEntries(list.map((m) => [m.name, m.value]));
}

async function measure(page: Page, fn: Fn, tokens: string[], rate: number): Promise<Result> {
  // Mounting the app and warming up are not part of the stream.
  const setup = fn.replace('bench', 'setup');
  await page.evaluate(([f, w]) => (window as unknown as Record<string, (w: string) => Promise<void>>)[f as string]!(w as string), [setup, answerTokens(400).join('')] as const);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
  // Frames over 50 ms (Long Animation Frames include style, layout and paint).
  await page.evaluate(() => {
    const w = window as unknown as { __loaf: number[] };
    w.__loaf = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__loaf.push(e.duration);
    }).observe({ type: 'long-animation-frame', buffered: false });
  });
  const before = await metrics(cdp);
  const r = (await page.evaluate(
    ([f, t, k]) => (window as unknown as Record<string, (t: string[], k: number) => Promise<unknown>>)[f as string]!(t as string[], k as number),
    [fn, tokens, rate] as const,
  )) as { frames: number; maxFrame: number; p99Frame: number; wallMs: number; text: number };
  const after = await metrics(cdp);
  const loaf = (await page.evaluate(() => (window as unknown as { __loaf: number[] }).__loaf)) as number[];
  await cdp.detach();
  if (r.text < tokens.join('').length * 0.5) throw new Error(`${fn}: the answer did not render (${r.text} chars)`);
  const d = (k: string) => ((after[k] ?? 0) - (before[k] ?? 0)) * 1000;
  const script = d('ScriptDuration');
  const layout = d('LayoutDuration') + d('RecalcStyleDuration');
  const total = d('TaskDuration');
  return {
    tokens: tokens.length,
    mainThreadMs: total,
    scriptMs: script,
    layoutStyleMs: layout,
    otherMs: total - script - layout,
    maxFrameMs: Math.max(r.maxFrame, ...loaf),
    p99FrameMs: r.p99Frame,
    longFrames: loaf.length,
    frames: r.frames,
    wallMs: r.wallMs,
  };
}

interface Row {
  name: string;
  rate: number;
  r: Result;
  note?: string;
}

const HEARTH = 'Hearth (cached blocks, ≤ 1 render per frame)';
const NAIVE = 'naive (re-parse + re-render the whole answer per token)';
const IDLE = 'empty frame loop (browser floor, nothing rendered)';

async function main(): Promise<void> {
  const html = await buildPage();
  const browser = await launchChromium();
  const rows: Row[] = [];
  try {
    const run = async (name: string, fn: Fn, count: number, rate: number, keep = true) => {
      const page = await browser.newPage({ viewport: { width: 900, height: 760 } });
      await page.setContent(html);
      const r = await measure(page, fn, answerTokens(count), rate);
      await page.close();
      if (keep) rows.push({ name, rate, r });
      console.error(
        `[render bench] ${name}, ${rate} tokens/frame, ${count} tokens: ${r.mainThreadMs.toFixed(0)} ms main thread (script ${r.scriptMs.toFixed(0)}, style+layout ${r.layoutStyleMs.toFixed(0)}, other ${r.otherMs.toFixed(0)}), ` +
          `longest frame ${r.maxFrameMs.toFixed(1)} ms (p99 ${r.p99FrameMs.toFixed(1)}), ${r.longFrames} > 50 ms, ${r.frames} frames, wall ${r.wallMs.toFixed(0)} ms`,
      );
      return r;
    };
    // Warm-up page (browser caches, fonts); each measured page also warms its own JIT and grammars first.
    await run('warm-up', 'benchHearth', 500, RATES[0]!, false);
    for (const rate of RATES) for (const n of SIZES) await run(HEARTH, 'benchHearth', n, rate);
    // The browser's own cost of that many frames with nothing rendered: the floor under the paced runs.
    if (!process.env.BENCH_NO_IDLE) await run(IDLE, 'benchIdle', SIZES[SIZES.length - 1]!, RATES[0]!);
    const naive: Result[] = [];
    for (const n of NAIVE_SIZES) naive.push(await run(NAIVE, 'benchNaive', n, RATES[0]!));
    const big = naive[naive.length - 1];
    const target = SIZES[SIZES.length - 1]!;
    if (big && big.tokens < target) {
      // Quadratic: every token re-parses and re-renders everything before it.
      const f = (target / big.tokens) ** 2;
      rows.push({
        name: NAIVE,
        rate: RATES[0]!,
        r: { ...big, tokens: target, mainThreadMs: big.mainThreadMs * f, scriptMs: big.scriptMs * f, layoutStyleMs: big.layoutStyleMs * f, otherMs: big.otherMs * f, maxFrameMs: NaN, p99FrameMs: NaN, longFrames: NaN, frames: NaN, wallMs: NaN },
        note: `extrapolated: ${big.tokens}-token run × (${target}/${big.tokens})²`,
      });
    }
  } finally {
    await browser.close();
  }

  const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
  console.log(`\n### Render benchmark (Chromium ${'headless, software rendering'}; load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores)\n`);
  console.log('Each token is one host message (validated as in VS Code), fed at N tokens per animation frame (N × 60 tokens/s).\n');
  console.log('| renderer | tokens/frame | tokens | main-thread (ms) | script (ms) | style + layout (ms) | paint, GC, other (ms) | longest frame (ms) | p99 frame (ms) | frames > 50 ms | frames | wall (ms) |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const { name, rate, r, note } of rows) {
    console.log(`| ${name}${note ? ` — ${note}` : ''} | ${rate} | ${r.tokens} | ${fmt(r.mainThreadMs)} | ${fmt(r.scriptMs)} | ${fmt(r.layoutStyleMs)} | ${fmt(r.otherMs)} | ${fmt(r.maxFrameMs, 1)} | ${fmt(r.p99FrameMs, 1)} | ${fmt(r.longFrames)} | ${fmt(r.frames)} | ${fmt(r.wallMs)} |`);
  }
  const pick = (rate: number, n: number) => rows.find((x) => x.name === HEARTH && x.rate === rate && x.r.tokens === n)?.r;
  const lo = SIZES[0]!;
  const hi = SIZES[SIZES.length - 1]!;
  console.log('\n| target | tokens/frame | result | met |');
  console.log('|---|---:|---:|---|');
  for (const rate of RATES) {
    const small = pick(rate, lo);
    const large = pick(rate, hi);
    if (!small || !large) continue;
    const ratio = large.mainThreadMs / small.mainThreadMs;
    const worst = Math.max(small.maxFrameMs, large.maxFrameMs);
    const p99 = Math.max(small.p99FrameMs, large.p99FrameMs);
    const checks: Array<[string, boolean, string]> = [
      [`${hi} tokens ≤ 2000 ms main-thread time`, large.mainThreadMs <= 2000, `${large.mainThreadMs.toFixed(0)} ms`],
      [`cost(${hi})/cost(${lo}) ≤ 6`, ratio <= 6, ratio.toFixed(2)],
      ['no frame over 50 ms', worst <= 50, `${worst.toFixed(1)} ms`],
      ['(99% of frames under 50 ms)', p99 <= 50, `p99 ${p99.toFixed(1)} ms`],
    ];
    for (const [what, ok, value] of checks) console.log(`| ${what} | ${rate} | ${value} | ${ok ? 'yes' : '**no**'} |`);
  }
  console.log('\nMain-thread time: CDP Performance.getMetrics TaskDuration (thread time) over the run. Longest frame: the longest gap between');
  console.log('animation frames during the run, or the longest Long Animation Frame entry if longer. Frame lengths are wall-clock: on a loaded');
  console.log('machine the OS pre-empts the renderer; the empty frame loop row shows how long a frame can get with nothing rendered at all.');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
