/**
 * The standalone gateway under load (full numbers): 200 concurrent SSE
 * clients (HEARTH_LOAD_CLIENTS to change), each streaming its own reply from
 * the Ollama double, loopback only. Runs once without and once with a client
 * that never reads, so the two durations show whether a stalled reader slows
 * the others. Prints the figures for docs/RELIABILITY.md; fails if any event
 * was lost or reordered. Run: `npm run bench -- gateway-load`.
 */
import { formatFigures, runSseLoad } from '../test/load/sseLoad';

async function main(): Promise<void> {
  const clients = Number(process.env.HEARTH_LOAD_CLIENTS ?? 200);
  if (!(globalThis as { gc?: unknown }).gc) console.log('(run with --expose-gc for settled memory figures; npm run bench does)');
  const plain = await runSseLoad({ clients });
  console.log(`without a stalled client:\n${formatFigures(plain)}`);
  const withStalled = await runSseLoad({ clients, stalledClient: true });
  console.log(`with a stalled client:\n${formatFigures(withStalled)}`);
  const bad = [plain, withStalled].filter((f) => f.lost !== 0 || f.reordered !== 0 || f.completed !== f.clients);
  console.log(
    `summary: clients=${clients} events=${plain.events + withStalled.events} lost=${plain.lost + withStalled.lost} ` +
      `peakHeapMB=${Math.max(plain.peakHeapMB, withStalled.peakHeapMB).toFixed(1)} peakRssMB=${Math.max(plain.peakRssMB, withStalled.peakRssMB).toFixed(1)} ` +
      `duration ms without/with stalled=${plain.durationMs}/${withStalled.durationMs} stalledDropped=${withStalled.stalledDropped}`,
  );
  if (bad.length || withStalled.stalledDropped !== true) process.exit(1);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
