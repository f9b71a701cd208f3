import type { GatewayEvent } from '../../shared/events';
import type { ModelInfo } from '../../shared/models';
import type { EngineTuning } from '../engine/tuning';
import type { ChatEngine, ChatTurnRequest, ProviderConfig } from '../engine/types';

/** Placeholder until the OpenAI-compatible provider lands. */
export class OpenAIChatEngine implements ChatEngine {
  constructor(
    readonly config: ProviderConfig,
    readonly tuning: EngineTuning,
  ) {}
  async *run(request: ChatTurnRequest): AsyncIterable<GatewayEvent> {
    yield { type: 'status_update', status: 'planning', phase: 'queued', session_id: request.sessionId, message_id: request.turnId, elapsed_ms: 0 };
    yield { type: 'error', code: 'internal', message: 'The OpenAI-compatible provider is not available yet.', retryable: false };
    yield { type: 'done', session_id: request.sessionId, message_id: request.turnId, finish_reason: 'error' };
  }
  cancel(): boolean {
    return false;
  }
  async listModels(): Promise<ModelInfo[]> {
    return [];
  }
  async health() {
    return { reachable: false, error: 'not implemented yet' };
  }
  async close(): Promise<void> {}
}
