/**
 * The providers Hearth can talk to, by the name the `provider` setting uses.
 * Adding one: a file with its ChatProvider, and a line here (see README.md).
 */
import { OllamaProvider } from '../ollama/provider';
import { OpenAIProvider } from '../openai/provider';
import type { ProviderFactory } from './provider';

export const PROVIDERS = {
  ollama: (config, tuning) => new OllamaProvider(config, tuning),
  openai: (config, tuning) => new OpenAIProvider(config, tuning),
} satisfies Record<string, ProviderFactory>;

export type ProviderName = keyof typeof PROVIDERS;

export const PROVIDER_NAMES = Object.keys(PROVIDERS) as ProviderName[];

export function isProviderName(name: unknown): name is ProviderName {
  return typeof name === 'string' && Object.hasOwn(PROVIDERS, name);
}
