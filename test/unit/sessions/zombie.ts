/** A real zombie for the liveness tests: a process killed with SIGKILL whose parent never reaps it. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface Zombie {
  pid: number;
  /** Ends the parent, so init reaps the zombie. */
  dispose(): void;
}

function state(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 1).trim()[0];
  } catch {
    return undefined;
  }
}

function comm(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

export async function makeZombie(): Promise<Zombie> {
  // The shell starts a child, prints its pid, then becomes `sleep`, which never waits for it.
  const parent = spawn('sh', ['-c', 'sleep 600 & echo $!; exec sleep 600'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const pid = await new Promise<number>((resolve, reject) => {
    let out = '';
    parent.stdout!.on('data', (d) => {
      out += String(d);
      if (out.includes('\n')) resolve(Number(out.trim()));
    });
    parent.on('error', reject);
  });
  // Killed only once the shell has become `sleep`: a shell still running may reap it.
  const deadline = Date.now() + 5_000;
  while (comm(parent.pid!) !== 'sleep') {
    if (Date.now() > deadline) throw new Error('the parent did not exec sleep');
    await new Promise((r) => setTimeout(r, 5));
  }
  process.kill(pid, 'SIGKILL');
  while (state(pid) !== 'Z') {
    if (Date.now() > deadline) throw new Error(`pid ${pid} did not become a zombie (state ${state(pid) ?? 'gone'})`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return { pid, dispose: () => void parent.kill('SIGKILL') };
}
