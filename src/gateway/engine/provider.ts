/**
 * What a model-server API supplies to the shared streaming-turn runner
 * (runner.ts): how to build its request, open it, decode its stream and name
 * its errors. Everything else — the deadline, cancel, phases, coalescing,
 * usage, exactly one `done`, retrying a reset or a busy server — is the
 * runner's, once for every provider. See README.md "Adding a provider".
 */
import type { ModelInfo, PullProgress } from '../../shared/models';
import type { HttpResponse } from '../net/http';
import type { FitResult } from './contextFit';
import type { GatewayError, ServerIdentity } from './errors';
import type { EngineTuning } from './tuning';
import type { ChatTurnRequest, CompletionPromptKind, CompletionRequest, ProviderConfig } from './types';

/** One turn's request, built once; a provider's retryAfter may change `body` before the next attempt. */
export interface PreparedTurn {
  model: string;
  /** The JSON body to send. */
  body: Record<string, unknown>;
  /** What fitting the conversation into the window kept and dropped. */
  fit: FitResult;
  /** The window the fit used (Ollama: num_ctx sent); null when unknown. */
  contextWindow: number | null;
  /** Set for a fill-in-the-middle request (open() and decoder() pick its endpoint by it): how its prompt was built. */
  completion?: CompletionPromptKind;
}

/** Receives the text of a stream, in order. */
export type TextSink = (kind: 'token' | 'thinking', text: string) => void;

/** How a stream that reached its end marker ended, with what the server reported (all optional). */
export interface StreamOutcome {
  finish: 'stop' | 'length';
  promptTokens?: number;
  completionTokens?: number;
  /** Server-side generation time (Ollama eval_duration). */
  evalDurationNs?: number;
  /** Server-side model load time (Ollama load_duration). */
  loadDurationNs?: number;
}

/**
 * Turns one response body into text and an outcome. Correct under any chunking.
 * Throws a GatewayError (or a NdjsonError) for an error the server sent, a bad
 * line, or — from end() — a stream that ended before its end marker (truncated).
 */
export interface StreamDecoder {
  push(chunk: Uint8Array, out: TextSink): void;
  end(out: TextSink): StreamOutcome;
}

export interface ChatProvider {
  /** The name and hints its errors use. */
  readonly server: ServerIdentity;
  /** The server loads a model on first use: a silent wait on a cold model is `loading_model`, else `reading_prompt`. */
  readonly loadsModels: boolean;
  /** Where tokens/s comes from: the server's own timings (absent → null), or measured from the stream. */
  readonly timings: 'server' | 'stream';
  /** The request for a turn: fit the conversation, pick options (may look up cached model facts). */
  prepare(request: ChatTurnRequest, signal: AbortSignal, timeoutMs: number): Promise<PreparedTurn>;
  /**
   * One attempt at the streaming request. Resolves with a 2xx response; throws a
   * GatewayError for a refusal (mapped from its status), or the network error as is.
   * Set undici's header/body timeouts to timeoutMs (a cold model sends no headers for minutes).
   */
  open(turn: PreparedTurn, signal: AbortSignal, timeoutMs: number): Promise<HttpResponse>;
  /**
   * A fill-in-the-middle request: the same open()/decoder() then serve it (they
   * branch on `turn.completion`). Throws a `capability` GatewayError for a model
   * that cannot fill in the middle. Optional: without it a provider cannot complete.
   */
  prepareCompletion?(request: CompletionRequest, signal: AbortSignal, timeoutMs: number): Promise<PreparedTurn>;
  /** After a refusal: change the turn so another attempt can succeed and return true (e.g. drop `think`). Optional. */
  retryAfter?(error: GatewayError, turn: PreparedTurn): boolean;
  /** A fresh decoder for one response body. */
  decoder(turn: PreparedTurn): StreamDecoder;
  listModels(signal?: AbortSignal): Promise<ModelInfo[]>;
  health(signal?: AbortSignal): Promise<{ reachable: boolean; version?: string; error?: string }>;
  pull?(model: string, onProgress: (p: PullProgress) => void, signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

/** A provider as the registry holds it: its class, which also says how messages name the server. */
export type ProviderClass = (new (config: ProviderConfig, tuning: EngineTuning) => ChatProvider) & { identity(baseUrl: string): ServerIdentity };
