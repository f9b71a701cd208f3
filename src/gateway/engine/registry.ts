/**
 * The providers Hearth can talk to, by the name the `provider` setting uses.
 * Adding one: a file with its ChatProvider, and a line here (see README.md).
 */
import { OllamaProvider } from '../ollama/provider';
import { OpenAIProvider } from '../openai/provider';
import type { ProviderClass } from './provider';

export const PROVIDERS = {
  ollama: OllamaProvider,
  openai: OpenAIProvider,
} satisfies Record<string, ProviderClass>;

export type ProviderName = keyof typeof PROVIDERS;

export const PROVIDER_NAMES = Object.keys(PROVIDERS) as ProviderName[];

/** Whether a provider can pull models (its class has `pull`), known without starting one. */
export function providerCanPull(name: string): boolean {
  return isProviderName(name) && typeof (PROVIDERS[name].prototype as { pull?: unknown }).pull === 'function';
}

/** How the UI names a provider's server ("Ollama", "The model server") and what it advises when nothing answers. */
export function providerPresentation(name: string): { name: string; startHint: string } | undefined {
  if (!isProviderName(name)) return undefined;
  const id = PROVIDERS[name].identity('');
  return { name: id.name, startHint: id.hints.start };
}

export function isProviderName(name: unknown): name is ProviderName {
  return typeof name === 'string' && Object.hasOwn(PROVIDERS, name);
}
