/**
 * Ollama's HTTP API over one undici pool: typed, validated calls that fail only
 * with GatewayError (or the caller's abort reason when the caller aborted).
 */
import type { z } from 'zod';
import type { PullProgress } from '../../shared/models';
import { errors, GatewayError, type ServerIdentity } from '../engine/errors';
import type { EngineTuning } from '../engine/tuning';
import type { ProviderConfig } from '../engine/types';
import { Deadline } from '../net/deadline';
import { HttpClient, readText, type HttpRequest, type HttpResponse } from '../net/http';
import { readNdjson } from '../net/ndjson';
import { networkError } from '../net/networkErrors';
import { embedSchema, psSchema, pullLineSchema, showSchema, tagsSchema, versionSchema, type ShowResponse } from './schemas';
import { responseError } from './statusErrors';

/** How Hearth's messages speak of an Ollama server, and what they advise. */
export function ollamaIdentity(baseUrl: string): ServerIdentity {
  return {
    name: 'Ollama',
    baseUrl,
    hints: {
      start: 'start it with `ollama serve`',
      missingModel: (model) => `run \`ollama pull ${model}\`, or pick another model`,
      refused: 'check the extra headers setting (authentication) or OLLAMA_ORIGINS',
    },
  };
}

export class OllamaClient {
  private readonly http: HttpClient;
  readonly server: ServerIdentity;

  constructor(
    readonly config: ProviderConfig,
    readonly tuning: EngineTuning,
  ) {
    this.http = new HttpClient({ baseUrl: config.baseUrl, headers: config.headers, connectTimeoutMs: tuning.connectTimeoutMs });
    this.server = ollamaIdentity(this.http.baseUrl);
  }

  /**
   * One streaming POST /api/chat: the 200 response, or a GatewayError mapped from
   * the status, or the network error as is (the runner retries and maps it).
   */
  async chat(body: Record<string, unknown>, model: string, signal: AbortSignal, timeoutMs: number): Promise<HttpResponse> {
    const res = await this.http.request({ method: 'POST', path: '/api/chat', body, signal, headersTimeoutMs: timeoutMs, bodyTimeoutMs: timeoutMs });
    if (res.status === 200) return res;
    throw await responseError(res, model, this.server);
  }

  /** One streaming POST /api/generate (fill in the middle), as chat(). */
  async generate(body: Record<string, unknown>, model: string, signal: AbortSignal, timeoutMs: number): Promise<HttpResponse> {
    const res = await this.http.request({ method: 'POST', path: '/api/generate', body, signal, headersTimeoutMs: timeoutMs, bodyTimeoutMs: timeoutMs });
    if (res.status === 200) return res;
    throw await responseError(res, model, this.server);
  }

  /**
   * Sends a request bounded by timeoutMs; maps network failures. When `signal`
   * aborts, rethrows its reason so callers can tell a cancel from a failure.
   */
  async send(
    req: Omit<HttpRequest, 'signal' | 'headersTimeoutMs' | 'bodyTimeoutMs'>,
    opts: { signal?: AbortSignal; timeoutMs: number; model?: string },
  ): Promise<HttpResponse> {
    const deadline = new Deadline(opts.timeoutMs, [opts.signal]);
    try {
      const res = await this.http.request({ ...req, signal: deadline.signal, headersTimeoutMs: opts.timeoutMs, bodyTimeoutMs: opts.timeoutMs });
      if (res.status >= 200 && res.status < 300) return res;
      throw await responseError(res, opts.model, this.server);
    } catch (e) {
      throw this.failure(e, deadline, opts.signal, opts.timeoutMs);
    } finally {
      deadline.dispose();
    }
  }

  /** A GatewayError for e, or the caller's own abort reason (so callers can tell a cancel from a failure). */
  private failure(e: unknown, deadline: Deadline, signal: AbortSignal | undefined, timeoutMs: number): unknown {
    if (signal?.aborted) return signal.reason ?? e;
    if (deadline.timedOut) return errors.timeout(this.server, timeoutMs);
    return networkError(e, this.server, timeoutMs);
  }

  private async json<S extends z.ZodType>(
    req: Omit<HttpRequest, 'signal' | 'headersTimeoutMs' | 'bodyTimeoutMs'>,
    schema: S,
    signal: AbortSignal | undefined,
    timeoutMs: number,
    model?: string,
  ): Promise<z.infer<S>> {
    const deadline = new Deadline(timeoutMs, [signal]);
    try {
      const res = await this.send(req, { signal: deadline.signal, timeoutMs, model });
      const text = await readText(res.body, 32 * 1024 * 1024);
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch {
        throw errors.upstream(this.server, `${req.path} answered with something that is not JSON`);
      }
      const parsed = schema.safeParse(raw);
      if (!parsed.success) throw errors.upstream(this.server, `${req.path} answered in an unexpected shape`);
      return parsed.data;
    } catch (e) {
      if (e instanceof GatewayError) throw e;
      throw this.failure(e, deadline, signal, timeoutMs);
    } finally {
      deadline.dispose();
    }
  }

  tags(signal?: AbortSignal) {
    return this.json({ method: 'GET', path: '/api/tags' }, tagsSchema, signal, this.tuning.metadataTimeoutMs);
  }

  ps(signal?: AbortSignal) {
    return this.json({ method: 'GET', path: '/api/ps' }, psSchema, signal, this.tuning.metadataTimeoutMs);
  }

  show(model: string, signal?: AbortSignal, timeoutMs = this.tuning.metadataTimeoutMs): Promise<ShowResponse> {
    return this.json({ method: 'POST', path: '/api/show', body: { model } }, showSchema, signal, timeoutMs, model);
  }

  /**
   * Embeds texts in one POST /api/embed: one vector per text, in order. A model
   * without the embedding capability fails with a 'capability' GatewayError.
   */
  async embed(model: string, input: readonly string[], signal?: AbortSignal): Promise<number[][]> {
    const res = await this.json({ method: 'POST', path: '/api/embed', body: { model, input } }, embedSchema, signal, this.config.requestTimeoutMs, model);
    if (res.embeddings.length !== input.length) throw errors.upstream(this.server, `/api/embed answered ${res.embeddings.length} vectors for ${input.length} texts`);
    return res.embeddings;
  }

  async version(signal?: AbortSignal, timeoutMs = this.tuning.metadataTimeoutMs): Promise<string> {
    return (await this.json({ method: 'GET', path: '/api/version' }, versionSchema, signal, timeoutMs)).version;
  }

  /**
   * Pulls a model, reporting progress. Pulls take as long as they take: only a
   * silence longer than the request timeout fails them. Throws GatewayError, or
   * the signal's reason when aborted.
   */
  async pull(model: string, onProgress: (p: PullProgress) => void, signal?: AbortSignal): Promise<void> {
    const idle = this.config.requestTimeoutMs;
    const deadline = new Deadline(0, [signal]);
    try {
      const res = await this.http.request({
        method: 'POST',
        path: '/api/pull',
        body: { model, stream: true },
        signal: deadline.signal,
        headersTimeoutMs: idle,
        bodyTimeoutMs: idle,
      });
      if (res.status < 200 || res.status >= 300) throw await responseError(res, model, this.server);
      let success = false;
      for await (const v of readNdjson(res.body, this.tuning.maxLineChars)) {
        const line = pullLineSchema.safeParse(v);
        if (!line.success) throw errors.upstream(this.server, 'a pull progress line in an unexpected shape');
        const p = line.data;
        if (p.error !== undefined) {
          if (/manifest|file does not exist|not found/i.test(p.error)) {
            throw new GatewayError('model_not_found', `Ollama could not pull '${model}': ${p.error}. Check the model name.`, false);
          }
          throw errors.upstream(this.server, p.error);
        }
        const progress: PullProgress = { status: p.status ?? '' };
        if (p.digest !== undefined) progress.digest = p.digest;
        if (p.total !== undefined) progress.total = p.total;
        if (p.completed !== undefined) progress.completed = p.completed;
        onProgress(progress);
        if (p.status === 'success') success = true;
      }
      if (!success) throw errors.truncated(this.server);
    } catch (e) {
      if (e instanceof GatewayError) throw e;
      throw this.failure(e, deadline, signal, idle);
    } finally {
      deadline.dispose();
    }
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
