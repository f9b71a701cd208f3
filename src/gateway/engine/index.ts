/**
 * createEngine: the one way the rest of Hearth gets a ChatEngine: the shared
 * streaming-turn runner over the provider the config names (registry.ts).
 */
import { PROVIDERS, isProviderName } from './registry';
import { ProviderEngine } from './runner';
import { resolveTuning, type EngineTuning } from './tuning';
import type { ChatEngine, ProviderConfig } from './types';

export function createEngine(config: ProviderConfig, tuning?: Partial<EngineTuning>): ChatEngine {
  const t = resolveTuning(tuning);
  // Settings come from users and the environment: guard the name at run time too.
  if (!isProviderName(config.provider)) throw new Error(`unknown provider ${String(config.provider)}`);
  return new ProviderEngine(new PROVIDERS[config.provider](config, t), config, t);
}

export { GatewayError, isGatewayError } from './errors';
export { isProviderName, PROVIDER_NAMES, providerCanPull, providerPresentation, type ProviderName } from './registry';
export { DEFAULT_TUNING, type EngineTuning } from './tuning';
export type { ChatEngine, ChatOptions, ChatTurnMessage, ChatTurnRequest, ProviderConfig } from './types';
