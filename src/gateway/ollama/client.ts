/**
 * Ollama's HTTP API over one undici pool: typed, validated calls that fail only
 * with GatewayError (or the caller's abort reason when the caller aborted).
 */
import type { z } from 'zod';
import type { PullProgress } from '../../shared/models';
import { errors, GatewayError } from '../engine/errors';
import type { EngineTuning } from '../engine/tuning';
import type { ProviderConfig } from '../engine/types';
import { Deadline } from '../net/deadline';
import { HttpClient, readText, type HttpRequest, type HttpResponse } from '../net/http';
import { readNdjson } from '../net/ndjson';
import { networkError } from '../net/networkErrors';
import { psSchema, pullLineSchema, showSchema, tagsSchema, versionSchema, type ShowResponse } from './schemas';
import { responseError } from './statusErrors';

export const SERVER = 'Ollama';

export class OllamaClient {
  readonly http: HttpClient;
  readonly baseUrl: string;

  constructor(
    readonly config: ProviderConfig,
    readonly tuning: EngineTuning,
  ) {
    this.http = new HttpClient({ baseUrl: config.baseUrl, headers: config.headers, connectTimeoutMs: tuning.connectTimeoutMs });
    this.baseUrl = this.http.baseUrl;
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
      throw await responseError(res, opts.model, this.baseUrl);
    } catch (e) {
      throw this.failure(e, deadline, opts.signal, opts.timeoutMs);
    } finally {
      deadline.dispose();
    }
  }

  /** A GatewayError for e, or the caller's own abort reason. */
  failure(e: unknown, deadline: Deadline, signal: AbortSignal | undefined, timeoutMs: number): unknown {
    if (signal?.aborted) return signal.reason ?? e;
    if (deadline.timedOut) return errors.timeout(this.baseUrl, timeoutMs);
    return networkError(e, SERVER, this.baseUrl, timeoutMs);
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
        throw errors.upstream(SERVER, `${req.path} answered with something that is not JSON`);
      }
      const parsed = schema.safeParse(raw);
      if (!parsed.success) throw errors.upstream(SERVER, `${req.path} answered in an unexpected shape`);
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
      if (res.status < 200 || res.status >= 300) throw await responseError(res, model, this.baseUrl);
      let success = false;
      for await (const v of readNdjson(res.body, this.tuning.maxLineChars)) {
        const line = pullLineSchema.safeParse(v);
        if (!line.success) throw errors.upstream(SERVER, 'a pull progress line in an unexpected shape');
        const p = line.data;
        if (p.error !== undefined) {
          if (/manifest|file does not exist|not found/i.test(p.error)) {
            throw new GatewayError('model_not_found', `Ollama could not pull '${model}': ${p.error}. Check the model name.`, false);
          }
          throw errors.upstream(SERVER, p.error);
        }
        const progress: PullProgress = { status: p.status ?? '' };
        if (p.digest !== undefined) progress.digest = p.digest;
        if (p.total !== undefined) progress.total = p.total;
        if (p.completed !== undefined) progress.completed = p.completed;
        onProgress(progress);
        if (p.status === 'success') success = true;
      }
      if (!success) throw errors.truncated(SERVER);
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
