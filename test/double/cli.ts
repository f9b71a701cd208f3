/**
 * Runs the Ollama test double on its own, for manual runs, end-to-end tests and screenshots:
 *   npx tsx test/double/cli.ts --port 11435 --models a,b --token-delay-ms 30
 * Options: --port N (default 0 = any free port), --models a,b (default: demo-model),
 * --thinking-models c (models with the 'thinking' capability), --token-delay-ms N,
 * --first-byte-delay-ms N, --context-length N, --old-404, --insert-models d (code models with the
 * 'insert' capability: fill in the middle), --completion "text" (what /api/generate answers, split at spaces).
 * Prints `OLLAMA_DOUBLE_URL=http://127.0.0.1:PORT` once listening; stops on SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import { startOllamaDouble } from './ollamaDouble';
import type { DoubleModel } from './types';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    models: { type: 'string', default: 'demo-model' },
    'thinking-models': { type: 'string', default: '' },
    'token-delay-ms': { type: 'string', default: '0' },
    'first-byte-delay-ms': { type: 'string', default: '0' },
    'context-length': { type: 'string' },
    'old-404': { type: 'boolean', default: false },
    'insert-models': { type: 'string', default: '' },
    completion: { type: 'string' },
  },
});

const list = (s: string | undefined) => (s ?? '').split(',').map((x) => x.trim()).filter(Boolean);
const contextLength = values['context-length'] ? Number(values['context-length']) : undefined;
const models: DoubleModel[] = [
  ...list(values.models).map((name) => ({ name, contextLength })),
  ...list(values['thinking-models']).map((name) => ({ name, contextLength, capabilities: ['completion', 'thinking'] })),
  ...list(values['insert-models']).map((name) => ({ name, contextLength, capabilities: ['completion', 'insert'], size: 1_000_000_000 })),
];

void (async () => {
  const double = await startOllamaDouble({
    port: Number(values.port),
    models,
    notFoundWording: values['old-404'] ? 'old' : 'new',
    ...(values.completion !== undefined ? { completionTokens: values.completion.split(/(?<= )/) } : {}),
    defaultReply: { tokenDelayMs: Number(values['token-delay-ms']), firstByteDelayMs: Number(values['first-byte-delay-ms']) },
  });
  console.log(`OLLAMA_DOUBLE_URL=${double.url}`);
  const stop = () => void double.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
})();
