import type { GatewayEvent } from '../../shared/events';
import type { ModelInfo, PullProgress } from '../../shared/models';
import type { ProviderName } from './registry';

/** Where the model server is and how to talk to it. Built from settings / environment. */
export interface ProviderConfig {
  /** A name in registry.ts: 'ollama' (native /api/chat) or 'openai' (an OpenAI-compatible /v1/chat/completions server). */
  provider: ProviderName;
  /** e.g. http://127.0.0.1:11434 */
  baseUrl: string;
  /** Extra headers for every request (an authenticating proxy's, for instance). */
  headers?: Record<string, string>;
  /** Upper bound for one whole request, in ms (the configured timeout). */
  requestTimeoutMs: number;
}

export interface ChatTurnMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatOptions {
  /** num_ctx to send; 0 or undefined = the model's own value capped at a sane default. */
  contextLength?: number;
  /** Ollama keep_alive: a Go duration string ("30m") or seconds. */
  keepAlive?: string | number;
  temperature?: number;
  /** Ask a thinking-capable model to think; retried without on a capability 400. */
  think?: boolean;
}

export interface ChatTurnRequest {
  /** The id of the assistant message being produced; cancel(turnId) stops it. */
  turnId: string;
  sessionId: string;
  model: string;
  /** The system prompt, if one is configured (none is sent otherwise). */
  systemPrompt?: string;
  /** History, oldest first, ending with the new user message. */
  messages: ChatTurnMessage[];
  options?: ChatOptions;
  /** Aborting this signal cancels the turn as cancel(turnId) does. */
  signal?: AbortSignal;
}

/**
 * Turns one chat turn into events. `run` never throws: every failure becomes an
 * `error` event, and the stream always ends with exactly one `done`.
 * Breaking out of the iteration early cancels the turn (closing the upstream request).
 */
export interface ChatEngine {
  run(request: ChatTurnRequest): AsyncIterable<GatewayEvent>;
  /** Closes the upstream request of an open turn; harmless if unknown or finished. */
  cancel(turnId: string): boolean;
  /** The live model list: the only source of model names. */
  listModels(signal?: AbortSignal): Promise<ModelInfo[]>;
  /** Reachability and server version (never throws). */
  health(signal?: AbortSignal): Promise<{ reachable: boolean; version?: string; error?: string }>;
  /** Only providers that can (Ollama): pull a model, reporting progress. Throws a GatewayError on failure. */
  pull?(model: string, onProgress: (p: PullProgress) => void, signal?: AbortSignal): Promise<void>;
  /** Releases pools and sockets. */
  close(): Promise<void>;
}
