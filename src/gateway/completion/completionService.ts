/**
 * Inline completion as one call, for the extension and the gateway's
 * POST /complete alike: the model (the setting, else the smallest installed one
 * that can fill in the middle), the text around the cursor cut to a budget, the
 * engine's fill-in-the-middle request (a one-line completion stops reading at
 * its first line, closing the request), and the clean-up of what came back.
 */
import { cleanCompletion, completionShape } from '../../shared/completion/cleanup';
import { cutAroundCursor, DEFAULT_CONTEXT_TOKENS, pickSnippets } from '../../shared/completion/context';
import { fimFormatFor, type FimSnippet } from '../../shared/completion/fimFormats';
import type { ModelInfo } from '../../shared/models';
import { GatewayError } from '../engine/errors';
import type { ChatEngine, ChatOptions, CompletionPromptKind } from '../engine/types';

export interface CompletionSettings {
  /** '' = the smallest installed model that can fill in the middle. */
  model: string;
  maxTokens: number;
  /** keep_alive and num_ctx, the same as chat's so the model is never reloaded. */
  options: ChatOptions;
  /** Bound for one completion (a cold model load included). */
  timeoutMs: number;
  /** Prefix + suffix budget, tokens. */
  contextTokens?: number;
}

export interface CompleteInput {
  /** Overrides the setting. */
  model?: string;
  prefix: string;
  suffix: string;
  language?: string;
  path?: string;
  maxTokens?: number;
  /** Candidate snippets from other files, most relevant first (cut here to the budget). */
  snippets?: readonly FimSnippet[];
  signal?: AbortSignal;
}

export interface CompleteOutput {
  /** What to show ('' = nothing worth showing). */
  completion: string;
  model: string;
  prompt: CompletionPromptKind;
  timings: {
    /** The whole call. */
    total_ms: number;
    /** The model server's part: from the request to the last byte read. */
    model_ms: number;
    /** What Hearth added around it (model choice, prompt, clean-up). */
    hearth_ms: number;
    first_token_ms: number | null;
    load_ms: number | null;
    prompt_tokens: number | null;
    completion_tokens: number | null;
  };
}

/** What a gateway without its own settings uses (npm start): Ollama's usual keep-alive, a short cap. */
export const DEFAULT_COMPLETION_SETTINGS: CompletionSettings = Object.freeze({
  model: '',
  maxTokens: 128,
  options: Object.freeze({ keepAlive: '30m' }),
  timeoutMs: 30_000,
}) as CompletionSettings;

/** How long a model choice (an /api/tags round trip) is reused. */
const MODEL_CHOICE_MS = 60_000;
/** Characters read at most per answer token before the stream is closed (a server that ignores the cap). */
const CHARS_PER_TOKEN_CAP = 12;

export class CompletionService {
  private choice: { model: string; at: number } | undefined;

  constructor(
    private readonly engine: Pick<ChatEngine, 'complete' | 'listModels'>,
    private readonly settings: () => CompletionSettings,
    private readonly now: () => number = () => performance.now(),
  ) {}

  async complete(input: CompleteInput): Promise<CompleteOutput> {
    const started = this.now();
    const s = this.settings();
    const complete = this.engine.complete?.bind(this.engine);
    if (!complete) throw new GatewayError('capability', 'This model server cannot complete code.', false);
    const model = input.model?.trim() || s.model || (await this.pickModel(input.signal));
    const cut = cutAroundCursor(input.prefix, input.suffix, s.contextTokens ?? DEFAULT_CONTEXT_TOKENS);
    const shape = completionShape(cut.prefix, cut.suffix);
    const maxTokens = Math.max(1, Math.min(input.maxTokens ?? s.maxTokens, 2048));
    const maxChars = maxTokens * CHARS_PER_TOKEN_CAP;
    const result = await complete({
      model,
      prefix: cut.prefix,
      suffix: cut.suffix,
      ...(input.path ? { path: input.path } : {}),
      ...(input.language ? { language: input.language } : {}),
      snippets: pickSnippets(input.snippets ?? []),
      maxTokens: shape === 'line' ? Math.min(maxTokens, 128) : maxTokens,
      options: s.options,
      timeoutMs: s.timeoutMs,
      ...(input.signal ? { signal: input.signal } : {}),
      // A line needs no more than its line; nothing needs more than the cap allows.
      enough: (text) => text.length > maxChars || (shape === 'line' && firstLineDone(text)),
    });
    const completion = cleanCompletion(result.text, cut.prefix, cut.suffix, shape);
    const total = this.now() - started;
    const round = (n: number) => Math.round(n * 100) / 100;
    return {
      completion,
      model: result.model,
      prompt: result.prompt,
      timings: {
        total_ms: round(total),
        model_ms: result.timings.total_ms,
        hearth_ms: round(Math.max(0, total - result.timings.total_ms)),
        first_token_ms: result.timings.first_token_ms,
        load_ms: result.timings.load_ms,
        prompt_tokens: result.timings.prompt_tokens,
        completion_tokens: result.timings.completion_tokens,
      },
    };
  }

  /** The model an empty setting means (cached a minute). Throws a GatewayError when none is installed. */
  async pickModel(signal?: AbortSignal): Promise<string> {
    if (this.choice && this.now() - this.choice.at < MODEL_CHOICE_MS) return this.choice.model;
    const model = chooseCompletionModel(await this.engine.listModels(signal));
    if (!model) {
      throw new GatewayError(
        'model_not_found',
        'No installed model can fill in the middle. Install a small code model (for example `ollama pull qwen2.5-coder:1.5b`) or set hearth.completion.model.',
        false,
      );
    }
    this.choice = { model, at: this.now() };
    return model;
  }

  /** The installed models changed (a pull, another server): choose again. */
  forgetChoice(): void {
    this.choice = undefined;
  }
}

/** Whether a model can fill in the middle: its template says so (`insert`), or its name is a known FIM family. */
export function canFillInMiddle(m: ModelInfo): boolean {
  if (m.capabilities?.includes('embedding')) return false;
  return m.capabilities?.includes('insert') === true || fimFormatFor(m.name) !== undefined;
}

/** The models that can fill in the middle, smallest first (completion wants speed). */
export function completionCandidates(models: readonly ModelInfo[]): ModelInfo[] {
  return models.filter(canFillInMiddle).sort((a, b) => (a.size || Infinity) - (b.size || Infinity));
}

/** The model an empty completion setting means. */
export function chooseCompletionModel(models: readonly ModelInfo[]): string | undefined {
  return completionCandidates(models)[0]?.name;
}

/** A one-line completion has all it can use once a line ends (a leading newline is refused by the clean-up anyway). */
function firstLineDone(text: string): boolean {
  return text.includes('\n');
}
