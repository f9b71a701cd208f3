/**
 * Every provider as the engine contract suite sees it: its test double, an
 * engine on it, and one script vocabulary mapped onto each double's own.
 * Adding a provider to Hearth means adding a harness here, and the whole
 * contract (engineContract.test.ts) runs against it.
 */
import type { EngineTuning } from '../../../src/gateway/engine';
import type { ChatEngine, ProviderConfig } from '../../../src/gateway/engine/types';
import { startOllamaDouble, startOpenAIDouble, type OllamaDouble, type OpenAIDouble, type RequestRecord } from '../../double';
import { createEngine } from '../../../src/gateway/engine';
import { FAST, ollamaEngine } from './helpers';

/** What a contract test asks of the model server, in words every double understands. */
export interface ContractScript {
  tokens?: string[];
  thinking?: string[];
  tokenDelayMs?: number;
  firstByteDelayMs?: number;
  /** An HTTP error instead of a reply. */
  status?: number;
  errorMessage?: string;
  /** After N tokens the server reports an error inside the stream. */
  errorAfterTokens?: { tokens: number; message: string };
  /** The stream ends without its end marker (Ollama: done:true; OpenAI: [DONE]). */
  omitEnd?: boolean;
  finish?: 'stop' | 'length';
  resetBeforeHeaders?: boolean;
  resetAfterTokens?: number;
  stallBeforeHeaders?: boolean;
  stallAfterTokens?: number;
  malformedAfterTokens?: number;
  /** Several lines per socket write (a burst), so coalescing has something to merge. */
  linesPerWrite?: number;
}

export interface ProviderHarness {
  readonly name: ProviderConfig['provider'];
  /** A model the double has; `thinker` is one that reasons. */
  readonly model: string;
  readonly thinker: string;
  /** The path of the chat request on the double. */
  readonly chatPath: string;
  /** What the unreachable error must say (the provider's own hint), and must not. */
  readonly unreachableHint: RegExp;
  readonly foreignHint: RegExp;
  /** The phase reported while a cold model sends nothing yet. */
  readonly coldWaitingPhase: 'loading_model' | 'reading_prompt';
  url(): string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The double goes away / comes back on the same port. */
  down(): Promise<void>;
  up(): Promise<void>;
  engine(tuning?: Partial<EngineTuning>, config?: Partial<ProviderConfig>): ChatEngine;
  enqueue(...scripts: ContractScript[]): void;
  chatRequests(): RequestRecord[];
  waitForChatRequest(): Promise<RequestRecord>;
  waitForClientClose(): Promise<RequestRecord>;
}

export function ollamaHarness(): ProviderHarness {
  let double: OllamaDouble;
  return {
    name: 'ollama',
    model: 'test-model',
    thinker: 'thinker',
    chatPath: '/api/chat',
    unreachableHint: /Ollama is not running at .*ollama serve/,
    foreignHint: /The model server/,
    coldWaitingPhase: 'loading_model',
    url: () => double.url,
    async start() {
      double = await startOllamaDouble({ models: ['test-model', { name: 'thinker', capabilities: ['completion', 'thinking'] }] });
    },
    stop: () => double.stop(),
    down: () => double.stop(),
    up: async () => void (await double.start()),
    engine: (tuning = {}, config = {}) => ollamaEngine(double.url, tuning, config),
    enqueue(...scripts) {
      double.enqueue(
        ...scripts.map((s) => ({
          tokens: s.tokens,
          thinking: s.thinking ?? [],
          tokenDelayMs: s.tokenDelayMs,
          firstByteDelayMs: s.firstByteDelayMs,
          status: s.status,
          errorMessage: s.errorMessage,
          errorAfterTokens: s.errorAfterTokens,
          omitDone: s.omitEnd,
          doneReason: s.finish,
          resetBeforeHeaders: s.resetBeforeHeaders,
          resetAfterTokens: s.resetAfterTokens,
          stallBeforeHeaders: s.stallBeforeHeaders,
          stallAfterTokens: s.stallAfterTokens,
          malformedAfterTokens: s.malformedAfterTokens,
          ...(s.linesPerWrite ? { chunking: { kind: 'lines' as const, perWrite: s.linesPerWrite } } : {}),
        })),
      );
    },
    chatRequests: () => double.requestsTo('/api/chat'),
    waitForChatRequest: () => double.waitForRequest((r) => r.path === '/api/chat' && r.body !== undefined),
    waitForClientClose: () => double.waitForClientClose(),
  };
}

export function openaiHarness(): ProviderHarness {
  let double: OpenAIDouble;
  return {
    name: 'openai',
    model: 'test-model',
    thinker: 'test-model',
    chatPath: '/v1/chat/completions',
    unreachableHint: /The model server is not running at .*start it/,
    foreignHint: /[Oo]llama/,
    coldWaitingPhase: 'reading_prompt',
    url: () => double.url,
    async start() {
      double = await startOpenAIDouble(['test-model']);
    },
    stop: () => double.stop(),
    down: () => double.stop(),
    up: async () => void (await double.start()),
    engine: (tuning = {}, config = {}) =>
      createEngine({ provider: 'openai', baseUrl: double.url, requestTimeoutMs: 20_000, ...config }, { ...FAST, ...tuning }),
    enqueue(...scripts) {
      double.enqueue(
        ...scripts.map((s) => ({
          tokens: s.tokens,
          reasoning: s.thinking,
          tokenDelayMs: s.tokenDelayMs,
          firstByteDelayMs: s.firstByteDelayMs,
          status: s.status,
          errorMessage: s.errorMessage,
          errorAfterTokens: s.errorAfterTokens,
          omitDone: s.omitEnd,
          finishReason: s.finish,
          resetBeforeHeaders: s.resetBeforeHeaders,
          resetAfterTokens: s.resetAfterTokens,
          stallBeforeHeaders: s.stallBeforeHeaders,
          stallAfterTokens: s.stallAfterTokens,
          malformedAfterTokens: s.malformedAfterTokens,
          ...(s.linesPerWrite ? { chunking: { kind: 'lines' as const, perWrite: s.linesPerWrite } } : {}),
        })),
      );
    },
    chatRequests: () => double.requestsTo('/v1/chat/completions'),
    waitForChatRequest: () => double.waitForRequest((r) => r.path === '/v1/chat/completions'),
    waitForClientClose: () => double.waitForClientClose(),
  };
}

export const HARNESSES = [ollamaHarness, openaiHarness];
