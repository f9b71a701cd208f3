/**
 * Ollama's native API as a ChatProvider: one streaming POST /api/chat per turn,
 * NDJSON back. Ollama's own parts: num_ctx fixed per model (modelFacts.ts), the
 * context fit, `think` and its capability retry, keep_alive, and /api/pull.
 */
import type { ModelInfo, PullProgress } from '../../shared/models';
import { fitContext } from '../engine/contextFit';
import { errors, type GatewayError } from '../engine/errors';
import type { ChatProvider, PreparedTurn, StreamDecoder, StreamOutcome, TextSink } from '../engine/provider';
import type { EngineTuning } from '../engine/tuning';
import type { ChatTurnRequest, CompletionPromptKind, CompletionRequest, ProviderConfig } from '../engine/types';
import { commentedSnippets, fimFormatFor } from '../../shared/completion/fimFormats';
import { estimateTokens } from '../../shared/tokens';
import type { HttpResponse } from '../net/http';
import { NdjsonDecoder } from '../net/ndjson';
import { OllamaClient, ollamaIdentity } from './client';
import { listOllamaModels } from './listModels';
import { ModelFactsCache } from './modelFacts';
import { fastTokenLine, parseChatChunk, type ChatChunk } from './schemas';

export class OllamaProvider implements ChatProvider {
  /** How messages name this server, and what they advise (also known without an instance). */
  static readonly identity = ollamaIdentity;
  readonly loadsModels = true;
  readonly timings = 'server';
  private readonly client: OllamaClient;
  private readonly facts: ModelFactsCache;
  /** Models that answered 400 to `think`: never sent it again. */
  private readonly noThink = new Set<string>();

  constructor(
    config: ProviderConfig,
    private readonly tuning: EngineTuning,
  ) {
    this.client = new OllamaClient(config, tuning);
    this.facts = new ModelFactsCache(this.client, tuning.contextCap, tuning.fallbackContext, tuning.factsMaxAgeMs);
  }

  get server() {
    return this.client.server;
  }

  async prepare(request: ChatTurnRequest, signal: AbortSignal, timeoutMs: number): Promise<PreparedTurn> {
    const { model } = request;
    const options = request.options ?? {};
    const { numCtx, facts } = await this.facts.numCtxFor(model, options.contextLength, signal, Math.min(5000, timeoutMs));
    const fit = fitContext(request.systemPrompt, request.messages, numCtx);
    const body: Record<string, unknown> = {
      model,
      messages: fit.messages.map((m) => ({ role: m.role, content: m.content })),
      stream: true,
      options: { num_ctx: numCtx, ...(options.temperature !== undefined ? { temperature: options.temperature } : {}) },
    };
    if (options.keepAlive !== undefined) body.keep_alive = options.keepAlive;
    const canThink = facts?.capabilities ? facts.capabilities.includes('thinking') : undefined;
    if (options.think === true && canThink !== false && !this.noThink.has(model)) body.think = true;
    if (options.think === false && canThink === true) body.think = false;
    return { model, body, fit, contextWindow: numCtx };
  }

  /**
   * Fill in the middle with /api/generate: `prompt` + `suffix` when the model's
   * template knows FIM (`insert` capability), else `raw` with the family's format
   * and stop tokens. num_ctx and keep_alive as a chat turn sends them, so the
   * model is never reloaded between keystrokes.
   */
  async prepareCompletion(request: CompletionRequest, signal: AbortSignal, timeoutMs: number): Promise<PreparedTurn> {
    const { model } = request;
    const options = request.options ?? {};
    const { numCtx, facts } = await this.facts.numCtxFor(model, options.contextLength, signal, Math.min(5000, timeoutMs));
    const caps = facts?.capabilities;
    const input = { prefix: request.prefix, suffix: request.suffix, path: request.path, language: request.language, snippets: request.snippets ?? [] };
    const format = fimFormatFor(model);
    const body: Record<string, unknown> = { model, stream: true };
    let kind: CompletionPromptKind;
    if (caps?.includes('insert')) {
      kind = 'insert';
      body.prompt = commentedSnippets(input.snippets, input.language) + input.prefix;
      body.suffix = input.suffix;
    } else if (format) {
      kind = format.id;
      body.prompt = format.build(input);
      body.raw = true;
    } else {
      throw errors.capability(model, `it cannot fill in the middle (${caps ? 'Ollama lists no `insert` capability' : 'Ollama did not say what it can do'} and its name matches no known code model). Pick a code model such as qwen2.5-coder, starcoder2, codellama:code or deepseek-coder for completions`);
    }
    const opts: Record<string, unknown> = { num_ctx: numCtx, num_predict: request.maxTokens, temperature: options.temperature ?? 0.2 };
    if (format) opts.stop = [...format.stop];
    body.options = opts;
    if (options.keepAlive !== undefined) body.keep_alive = options.keepAlive;
    // A completion is never a conversation: no thinking, whatever the model can do.
    if (caps?.includes('thinking')) body.think = false;
    const estimate = estimateTokens(String(body.prompt)) + estimateTokens(input.suffix);
    return { model, body, fit: { messages: [], dropped: 0, estimate, overBudget: estimate > numCtx }, contextWindow: numCtx, completion: kind };
  }

  open(turn: PreparedTurn, signal: AbortSignal, timeoutMs: number): Promise<HttpResponse> {
    if (turn.completion) return this.client.generate(turn.body, turn.model, signal, timeoutMs);
    return this.client.chat(turn.body, turn.model, signal, timeoutMs);
  }

  /** A "does not support thinking" 400: once more without `think`, and never `think` for that model again. */
  retryAfter(error: GatewayError, turn: PreparedTurn): boolean {
    if (error.code !== 'capability' || turn.body.think === undefined || !/think/i.test(error.message)) return false;
    this.noThink.add(turn.model);
    delete turn.body.think;
    return true;
  }

  decoder(): StreamDecoder {
    return new OllamaChatDecoder(this.client.server, this.tuning.maxLineChars);
  }

  listModels(signal?: AbortSignal): Promise<ModelInfo[]> {
    return listOllamaModels(this.client, this.facts, this.tuning, signal);
  }

  async health(signal?: AbortSignal): Promise<{ reachable: boolean; version?: string; error?: string }> {
    try {
      return { reachable: true, version: await this.client.version(signal, Math.min(this.tuning.metadataTimeoutMs, 5000)) };
    } catch (e) {
      return { reachable: false, error: e instanceof Error ? e.message : String(e) };
    }
  }

  pull(model: string, onProgress: (p: PullProgress) => void, signal?: AbortSignal): Promise<void> {
    return this.client.pull(model, onProgress, signal);
  }

  close(): Promise<void> {
    this.facts.dispose();
    return this.client.close();
  }
}

/** /api/chat's NDJSON (message.content / message.thinking per line) or /api/generate's (response / thinking), then a done:true line with the metrics. */
class OllamaChatDecoder implements StreamDecoder {
  private readonly lines: NdjsonDecoder;
  private final: ChatChunk | undefined;

  constructor(
    private readonly server: OllamaClient['server'],
    maxLineChars: number,
  ) {
    this.lines = new NdjsonDecoder(maxLineChars, fastTokenLine);
  }

  push(chunk: Uint8Array, out: TextSink): void {
    this.lines.push(chunk, (v) => this.line(v, out));
  }

  end(out: TextSink): StreamOutcome {
    this.lines.end((v) => this.line(v, out));
    const f = this.final;
    if (!f) throw errors.truncated(this.server);
    return {
      finish: f.done_reason === 'length' ? 'length' : 'stop',
      promptTokens: f.prompt_eval_count,
      completionTokens: f.eval_count,
      evalDurationNs: f.eval_duration,
      loadDurationNs: f.load_duration,
    };
  }

  private line(v: unknown, out: TextSink): void {
    if (this.final) return; // nothing is expected after done; ignore rather than fail a finished reply
    const c = parseChatChunk(v);
    if (typeof c === 'string') throw errors.upstream(this.server, `it sent ${c}`);
    if (c.error !== undefined) throw errors.upstream(this.server, c.error);
    out('thinking', c.thinking);
    out('token', c.content);
    if (c.done) this.final = c;
  }
}
