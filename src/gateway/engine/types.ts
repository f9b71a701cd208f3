import type { GatewayEvent } from '../../shared/events';
import type { ModelInfo, PullProgress } from '../../shared/models';
import type { FimFormat, FimSnippet } from '../../shared/completion/fimFormats';
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

/** One fill-in-the-middle request: the text around the cursor, already cut to fit. */
export interface CompletionRequest {
  model: string;
  /** The text before the cursor (what the model continues). */
  prefix: string;
  /** The text after the cursor. */
  suffix: string;
  /** The file's workspace-relative path and VS Code language id, for snippet labels. */
  path?: string;
  language?: string;
  /** Other files' text, labelled with their paths as the model's format expects. */
  snippets?: readonly FimSnippet[];
  /** num_predict: the answer's cap in tokens. */
  maxTokens: number;
  /** keep_alive and num_ctx as chat sends them (a changed num_ctx would reload the model). */
  options?: ChatOptions;
  /** Aborting closes the request upstream. */
  signal?: AbortSignal;
  /** Bound for the whole request (default: the config's requestTimeoutMs). */
  timeoutMs?: number;
  /** Stop reading once the text so far is enough (e.g. a one-line completion's first line): closed upstream. */
  enough?: (text: string) => boolean;
}

/** How the prompt was built: the model's own template (`insert`), a known raw format, or a server's `suffix` field. */
export type CompletionPromptKind = 'insert' | 'suffix' | FimFormat['id'];

export interface CompletionResult {
  /** The model's raw text (not cleaned: see src/shared/completion/cleanup.ts). */
  text: string;
  model: string;
  /** 'enough' when `enough` stopped it early; 'length' at maxTokens. */
  finish: 'stop' | 'length' | 'enough';
  prompt: CompletionPromptKind;
  timings: {
    /** From the call to the last byte read. */
    total_ms: number;
    first_token_ms: number | null;
    load_ms: number | null;
    prompt_tokens: number | null;
    completion_tokens: number | null;
  };
}

/**
 * Turns one chat turn into events. `run` never throws: every failure becomes an
 * `error` event, and the stream always ends with exactly one `done`.
 * Breaking out of the iteration early cancels the turn (closing the upstream request).
 */
export interface ChatEngine {
  run(request: ChatTurnRequest): AsyncIterable<GatewayEvent>;
  /**
   * One fill-in-the-middle completion. Throws a GatewayError (`capability` when the
   * model can do neither `insert` nor a known raw format), or the signal's reason.
   * Optional so that engines made for chat alone (test fakes) need not have it.
   */
  complete?(request: CompletionRequest): Promise<CompletionResult>;
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
