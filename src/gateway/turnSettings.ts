/**
 * What each turn sends besides the messages, built the same way from VS Code's
 * settings (src/extension/settings.ts) and the standalone gateway's environment
 * (config.ts). Types only from the engine: the extension's start-up bundle loads this.
 */
import type { TurnSettings } from './chat/types';
import type { ChatOptions } from './engine/types';

/** The per-turn settings as both readers hold them, already validated. */
export interface TurnValues {
  /** 0 = the model's own value (the engine caps it). */
  contextLength: number;
  keepAlive: string | number;
  think: boolean;
  /** Absent: the model's default. */
  temperature?: number;
  /** Absent or blank: none is sent. */
  systemPrompt?: string;
}

export function turnSettingsOf(v: TurnValues): TurnSettings {
  const options: ChatOptions = { keepAlive: v.keepAlive, think: v.think };
  if (v.contextLength > 0) options.contextLength = v.contextLength;
  if (v.temperature !== undefined) options.temperature = v.temperature;
  return v.systemPrompt?.trim() ? { systemPrompt: v.systemPrompt, options } : { options };
}
