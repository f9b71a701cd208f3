// Renders media/icon.png (128×128, the Marketplace icon) from the flame of
// media/hearth.svg on a warm background, with Debian's Chromium.
//   node scripts/render-icon.mjs
import { readFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { chromium } from 'playwright-core';

const svg = await readFile('media/hearth.svg', 'utf8');
const paths = [...svg.matchAll(/<path d="([^"]+)"/g)].map((m) => m[1]);
const [flame, hearthLine, hearthBox] = paths;

const html = `<!doctype html><html><body style="margin:0;background:transparent">
<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 24 24">
  <defs>
    <linearGradient id="bg" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="#7a2e12"/><stop offset="1" stop-color="#3b160b"/>
    </linearGradient>
    <linearGradient id="fire" x1="0" y1="1" x2="0" y2="0">
      <stop offset="0" stop-color="#ff7a18"/><stop offset="0.55" stop-color="#ffb238"/><stop offset="1" stop-color="#ffe08a"/>
    </linearGradient>
  </defs>
  <rect x="0" y="0" width="24" height="24" rx="5" fill="url(#bg)"/>
  <g transform="translate(12 12) scale(0.78) translate(-12 -11.6)" stroke-linecap="round" stroke-linejoin="round">
    <path d="${flame}" fill="url(#fire)" stroke="#ffd27a" stroke-width="0.6"/>
    <path d="${hearthBox}" fill="#5a2410" stroke="#f3c89a" stroke-width="1.3"/>
    <path d="${hearthLine}" stroke="#f3c89a" stroke-width="1.5" fill="none"/>
  </g>
</svg></body></html>`;

const executablePath = process.env.HEARTH_CHROMIUM ?? execFileSync('bash', ['scripts/ensure-chromium.sh'], { encoding: 'utf8' }).trim().split('\n').pop();
const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage({ viewport: { width: 128, height: 128 }, deviceScaleFactor: 1 });
  await page.setContent(html);
  await page.locator('svg').screenshot({ path: 'media/icon.png', omitBackground: true });
  console.log('media/icon.png written');
} finally {
  await browser.close();
}
