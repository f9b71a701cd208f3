/**
 * createEngine: the one way the rest of Hearth gets a ChatEngine. The provider
 * setting picks Ollama's native API or an OpenAI-compatible server.
 */
import { OllamaChatEngine } from '../ollama/chatEngine';
import { OpenAIChatEngine } from '../openai/chatEngine';
import { resolveTuning, type EngineTuning } from './tuning';
import type { ChatEngine, ProviderConfig } from './types';

export function createEngine(config: ProviderConfig, tuning?: Partial<EngineTuning>): ChatEngine {
  const t = resolveTuning(tuning);
  switch (config.provider) {
    case 'ollama':
      return new OllamaChatEngine(config, t);
    case 'openai':
      return new OpenAIChatEngine(config, t);
    default: {
      const never: never = config.provider;
      throw new Error(`unknown provider ${String(never)}`);
    }
  }
}

export { GatewayError, isGatewayError } from './errors';
export { DEFAULT_TUNING, type EngineTuning } from './tuning';
export type { ChatEngine, ChatOptions, ChatTurnMessage, ChatTurnRequest, ProviderConfig } from './types';
