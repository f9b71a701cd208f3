// One registry of things to tear down (code-server, Chromium, the Ollama double,
// temp folders), run in reverse order on normal exit, on failure and on
// SIGINT/SIGTERM, so a failed or interrupted run leaves no process behind.

type Teardown = () => void | Promise<void>;

const stack: { name: string; fn: Teardown }[] = [];
let hooked = false;

/** Registers a teardown; returns a function that runs it now (once) and unregisters it. */
export function onCleanup(name: string, fn: Teardown): () => Promise<void> {
  hookSignals();
  const entry = { name, fn };
  stack.push(entry);
  return async () => {
    const i = stack.indexOf(entry);
    if (i < 0) return;
    stack.splice(i, 1);
    await runOne(entry);
  };
}

/** Runs every registered teardown, newest first. Never throws. */
export async function cleanupAll(): Promise<void> {
  while (stack.length) await runOne(stack.pop()!);
}

async function runOne(entry: { name: string; fn: Teardown }): Promise<void> {
  try {
    await withTimeout(Promise.resolve(entry.fn()), 15_000);
  } catch (err) {
    console.error(`[vscode-host] cleanup of ${entry.name} failed: ${(err as Error).message}`);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    }),
  ]);
}

function hookSignals(): void {
  if (hooked) return;
  hooked = true;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      console.error(`[vscode-host] ${sig}: cleaning up`);
      void cleanupAll().finally(() => process.exit(130));
    });
  }
}
