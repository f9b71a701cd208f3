/** Shapes of the Ollama test double's configuration, scripts and request log. */

/** A model the double pretends to have. Names are arbitrary: tests invent them. */
export interface DoubleModel {
  name: string;
  /** /api/show capabilities; default ['completion']. Add 'thinking' for a thinking model. */
  capabilities?: string[];
  /** model_info["<arch>.context_length"]; default 131072. */
  contextLength?: number;
  /** general.architecture; default 'llama'. */
  arch?: string;
  family?: string;
  parameterSize?: string;
  quantization?: string;
  size?: number;
  digest?: string;
  /** /api/show `parameters` text, e.g. "num_ctx 4096\nstop \"<|eot|>\"". */
  parameters?: string;
  /** Present in /api/ps from the start (with this context_length). */
  loadedContextLength?: number;
}

/** How to split the bytes of the NDJSON body into socket writes. */
export type Chunking =
  /** One write per line (the default, like Ollama's flush per token). */
  | { kind: 'line' }
  /** Several lines per write. */
  | { kind: 'lines'; perWrite: number }
  /** Fixed-size byte chunks regardless of line or UTF-8 boundaries. */
  | { kind: 'bytes'; size: number }
  /** Explicit cut points (byte offsets into the whole body). */
  | { kind: 'cuts'; at: number[] };

/** What the double does for one /api/chat (or /api/generate) request. Every field is optional. */
export interface ReplyScript {
  /** Only for a request whose JSON body this accepts (e.g. a completion prompt ending in some text); others pass it by. */
  match?: (body: any) => boolean;
  /** Answer tokens. Default: a deterministic echo of the last user message. */
  tokens?: string[];
  /** Thinking tokens, sent before the answer. Default: a short text for models with the
   * 'thinking' capability unless the request says think:false; none otherwise. */
  thinking?: string[];
  /** Delay before each token line after the first, ms. */
  tokenDelayMs?: number;
  /** Delay before the status line and headers (queueing / model load). Sets load_duration. */
  firstByteDelayMs?: number;
  /** Instead of a reply: this HTTP status with {"error": errorMessage} (empty body for 403). */
  status?: number;
  errorMessage?: string;
  /** After N answer tokens, send a {"error": message} line (HTTP stays 200) and end. */
  errorAfterTokens?: { tokens: number; message: string };
  /** End the stream without the done:true line. */
  omitDone?: boolean;
  /** done_reason of the final chunk; null omits it. Default 'stop'. */
  doneReason?: 'stop' | 'length' | null;
  /** Text carried by the final (done) chunk itself. */
  finalContent?: string;
  /** Leave every metric out of the final chunk (omitempty). */
  omitMetrics?: boolean;
  /** Send every token even past options.num_predict (a server that ignores the cap). */
  ignoreNumPredict?: boolean;
  /** Override the reported prompt_eval_count. */
  promptEvalCount?: number;
  /** Override eval_duration (ns). Default: tokens × max(tokenDelayMs, 1) ms. */
  evalDurationNs?: number;
  /** How to split the body into writes; and an optional pause between writes. */
  chunking?: Chunking;
  writeGapMs?: number;
  /** Empty chunks (content "") before the first token, as some models send. */
  emptyChunks?: number;

  // --- faults: what a real server or network does to a turn ---
  /** Destroy the socket before sending anything (a stale keep-alive connection, a crash while loading). */
  resetBeforeHeaders?: boolean;
  /** Destroy the socket after N answer tokens (connection reset mid-stream). */
  resetAfterTokens?: number;
  /** After N answer tokens, write half of the next line and end the body cleanly. */
  truncateAfterTokens?: number;
  /** Never send headers; hold the request open until the client gives up. */
  stallBeforeHeaders?: boolean;
  /** After N answer tokens, stop writing and hold the connection open. */
  stallAfterTokens?: number;
  /** After N answer tokens, write a line that is not JSON, then carry on. */
  malformedAfterTokens?: number;
  /** After N answer tokens, write one token line of about this many bytes. */
  oversizedLine?: { afterTokens: number; bytes: number };
}

/** One request as the double received it. */
export interface RequestRecord {
  /** 0-based order of arrival. */
  index: number;
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body (undefined when there was none or it was not JSON). */
  body: any;
  rawBody: string;
  /** Date.now() when the request arrived. */
  receivedAt: number;
  /** Date.now() when the response was completely sent, if it was. */
  finishedAt?: number;
  /** Date.now() when the connection closed before the response was complete. */
  clientClosedAt?: number;
  /** The HTTP status sent (0 if none was). */
  status: number;
}

export interface DoubleOptions {
  /** Port to listen on; 0 (default) picks a free one. Always binds 127.0.0.1. */
  port?: number;
  models?: (DoubleModel | string)[];
  /** Models /api/pull can fetch (besides the installed ones). Default: any name containing no "missing". */
  pullable?: (name: string) => boolean;
  /** Wording of 404s: 'new' = model 'x' not found (v0.12+), 'old' = model "x" not found, try pulling it first. */
  notFoundWording?: 'new' | 'old';
  /** Script applied to every chat unless a queued one is waiting. */
  defaultReply?: ReplyScript;
  /** /api/generate's answer (fill in the middle) when no script gives tokens; default: an echo, as chat. */
  completionTokens?: string[];
  /** Answers /api/version. */
  version?: string;
  /** Origins allowed besides loopback ones (Ollama's OLLAMA_ORIGINS). */
  allowedOrigins?: string[];
}
