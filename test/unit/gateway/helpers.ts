/** Shared helpers for the gateway tests. */
import type { GatewayEvent } from '../../../src/shared/events';
import { gatewayEventSchema } from '../../../src/shared/events';
import { createEngine, type EngineTuning } from '../../../src/gateway/engine';
import type { ChatEngine, ChatTurnRequest, ProviderConfig } from '../../../src/gateway/engine/types';
import { startOllamaDouble, type DoubleOptions, type OllamaDouble } from '../../double';

/** Tuning for tests: no waiting on backoff, coalescing off unless asked. */
export const FAST: Partial<EngineTuning> = {
  coalesceMs: 0,
  busyRetryDelaysMs: [5, 10, 20],
  loadingHintMs: 60_000,
  connectTimeoutMs: 2000,
  listShowBudgetMs: 2000,
};

export function ollamaEngine(baseUrl: string, tuning: Partial<EngineTuning> = {}, config: Partial<ProviderConfig> = {}): ChatEngine {
  return createEngine({ provider: 'ollama', baseUrl, requestTimeoutMs: 20_000, ...config }, { ...FAST, ...tuning });
}

/** The Ollama double and an engine over it, as one suite's fixture. */
export interface OllamaFixture {
  readonly double: OllamaDouble;
  readonly engine: ChatEngine;
}

/**
 * Registers hooks that start the double (with `models`) and an engine over it
 * before each test (or once, with `once`), and close both afterwards.
 */
export function withOllama(o: { models: DoubleOptions['models']; tuning?: Partial<EngineTuning>; config?: Partial<ProviderConfig>; once?: boolean }): OllamaFixture {
  let double: OllamaDouble | undefined;
  let engine: ChatEngine | undefined;
  (o.once ? before : beforeEach)(async () => {
    double = await startOllamaDouble({ models: o.models });
    engine = ollamaEngine(double.url, o.tuning, o.config);
  });
  (o.once ? after : afterEach)(async () => {
    await engine?.close();
    await double?.stop();
  });
  return {
    get double() {
      if (!double) throw new Error('the double is started by the suite hooks');
      return double;
    },
    get engine() {
      if (!engine) throw new Error('the engine is started by the suite hooks');
      return engine;
    },
  };
}

let turnCounter = 0;
export function turn(overrides: Partial<ChatTurnRequest> = {}): ChatTurnRequest {
  turnCounter++;
  return {
    turnId: `turn-${turnCounter}`,
    sessionId: 'session-test-1',
    model: 'test-model',
    messages: [{ role: 'user', content: 'hello' }],
    ...overrides,
  };
}

/** Collects every event, checking each against the shared schema. */
export async function collect(events: AsyncIterable<GatewayEvent>): Promise<GatewayEvent[]> {
  const out: GatewayEvent[] = [];
  for await (const e of events) {
    gatewayEventSchema.parse(e);
    out.push(e);
  }
  return out;
}

export const tokensOf = (events: GatewayEvent[]) =>
  events.flatMap((e) => (e.type === 'token' ? [e.content] : [])).join('');
export const thinkingOf = (events: GatewayEvent[]) =>
  events.flatMap((e) => (e.type === 'thinking' ? [e.content] : [])).join('');
export const lastOf = (events: GatewayEvent[]) => events[events.length - 1]!;
export function only<T extends GatewayEvent['type']>(events: GatewayEvent[], type: T): Extract<GatewayEvent, { type: T }>[] {
  return events.filter((e): e is Extract<GatewayEvent, { type: T }> => e.type === type);
}
export function errorOf(events: GatewayEvent[]) {
  return only(events, 'error')[0];
}
export function phasesOf(events: GatewayEvent[]) {
  return only(events, 'status_update').flatMap((e) => (e.phase ? [e.phase] : []));
}

/** Checks the invariants every turn must keep: a first status_update with ids, exactly one done, last. */
export function assertWellFormed(events: GatewayEvent[], assert: typeof import('node:assert/strict')): void {
  const first = events[0];
  assert.ok(first && first.type === 'status_update' && first.status === 'planning' && first.phase === 'queued' && first.session_id && first.message_id, 'first event');
  assert.equal(only(events, 'done').length, 1, 'exactly one done');
  assert.equal(lastOf(events).type, 'done', 'done is last');
}

/** Fails the current test on any unhandled rejection while installed. */
export function guardUnhandledRejections(): { rejections: unknown[]; dispose(): void } {
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => void rejections.push(reason);
  process.on('unhandledRejection', onRejection);
  return { rejections, dispose: () => void process.off('unhandledRejection', onRejection) };
}
