// Is the machine quiet enough for a timed target to be a verdict? The benches print
// this before and after their runs; a missed target on a loaded machine is reported
// as INCONCLUSIVE rather than failed (BENCH_STRICT=1 makes it fail).
import os from 'node:os';

/** Load average per core above which a missed target is not a verdict. */
export const LOAD_LIMIT = Number(process.env.BENCH_LOAD_LIMIT ?? 0.75);
/** A busy loop in this process getting less of a core than this means others are taking it. */
export const MIN_CPU_SHARE = 0.8;

export interface LoadProbe {
  /** 1-minute load average. */
  load1: number;
  /** CPU time over wall time of a 300 ms busy loop here: ≈ 1 on a quiet machine. */
  cpuShare: number;
}

export function probeLoad(): LoadProbe {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let x = 0;
  while (performance.now() - t0 < 300) for (let i = 0; i < 10_000; i++) x = (x * 31 + i) % 1_000_003;
  const cpu = process.cpuUsage(c0);
  const wall = performance.now() - t0;
  if (x < 0) console.error(x); // keeps the loop from being optimised away
  return { load1: os.loadavg()[0]!, cpuShare: (cpu.user + cpu.system) / 1000 / wall };
}

/** Why the machine was too loaded to judge, or undefined when it was quiet enough. */
export function tooLoaded(probes: LoadProbe[], cores: number): string | undefined {
  const worstLoad = Math.max(...probes.map((p) => p.load1));
  const worstShare = Math.min(...probes.map((p) => p.cpuShare));
  const why: string[] = [];
  if (worstLoad > LOAD_LIMIT * cores) why.push(`load average ${worstLoad.toFixed(2)} on ${cores} cores (limit ${(LOAD_LIMIT * cores).toFixed(2)})`);
  if (worstShare < MIN_CPU_SHARE) why.push(`a busy loop got ${(worstShare * 100).toFixed(0)} % of a core (needs ${MIN_CPU_SHARE * 100} %)`);
  return why.length ? why.join('; ') : undefined;
}
