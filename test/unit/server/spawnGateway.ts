/** Runs the real entry point (src/standalone/main.ts through tsx) as a child process. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const REPO = path.resolve(__dirname, '..', '..', '..');

export interface GatewayProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the port from the printed URL (rejects if the process exits first). */
  ready: Promise<number>;
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

/** `entry`: the sources through tsx (default), or a built bundle such as dist/gateway.js (what `npm start` runs). */
export function spawnGateway(env: Record<string, string>, args: string[] = [], entry?: string): GatewayProcess {
  const child = spawn(process.execPath, [...(entry ? [entry] : ['--import', 'tsx', path.join(REPO, 'src', 'standalone', 'main.ts')]), ...args], {
    cwd: REPO,
    env: { ...process.env, HEARTH_GATEWAY_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  const exited = new Promise<number | null>((r) => child.on('exit', (code, signal) => r(code ?? (signal ? -1 : null))));
  const ready = new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (d: string) => {
      out += d;
      const m = /^http:\/\/127\.0\.0\.1:(\d+)\/#token=\S+\n/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.stderr!.on('data', (d: string) => (err += d));
    void exited.then((code) => reject(new Error(`gateway exited (${code}) before printing its URL: ${err}`)));
  });
  ready.catch(() => {});
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    ready,
    exited,
    async kill(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
