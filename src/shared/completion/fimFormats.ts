/**
 * Fill-in-the-middle prompt formats of the code model families, for servers that
 * take a raw prompt (Ollama `raw: true`, an OpenAI-compatible /v1/completions
 * without `suffix`). A model whose own template knows FIM (Ollama's `insert`
 * capability) gets `prompt` + `suffix` instead and never comes here. Pure.
 *
 * Sources of the tokens (each family's published format):
 * - Qwen2.5-Coder: github.com/QwenLM/Qwen2.5-Coder README, "file-level" and
 *   "repository-level code completion" (<|fim_prefix|>, <|repo_name|>, <|file_sep|>).
 * - StarCoder2 / StarCoder / StableCode: arXiv 2402.19173 §5.1 and the
 *   bigcode tokenizer (<fim_prefix>, <file_sep>, <|endoftext|>).
 * - CodeLlama: Meta's model card / `infilling` in facebookresearch/codellama
 *   ("<PRE> {prefix} <SUF>{suffix} <MID>", ends with <EOT>).
 * - DeepSeek-Coder: huggingface.co/deepseek-ai/deepseek-coder-1.3b-base
 *   (<｜fim▁begin｜>, <｜fim▁hole｜>, <｜fim▁end｜> with full-width bars).
 * - Codestral: Mistral's FIM format ([SUFFIX]…[PREFIX]…), files as "+++++ path".
 * - CodeGemma: Google's model card (<|fim_prefix|>, <|file_separator|>).
 * Cross-checked with Continue's core/autocomplete/templating/AutocompleteTemplate.ts.
 */

/** A piece of another file given to the model as context, labelled with its path. */
export interface FimSnippet {
  path: string;
  text: string;
}

export interface FimInput {
  prefix: string;
  suffix: string;
  /** The file being edited (workspace-relative), when known. */
  path?: string;
  /** VS Code language id of the file, when known. */
  language?: string;
  snippets: readonly FimSnippet[];
}

export interface FimFormat {
  /** Stable id (tests and logs). */
  id: 'qwen-coder' | 'starcoder' | 'codellama' | 'deepseek-coder' | 'codestral' | 'codegemma';
  /** Which model names use it (Ollama names such as `qwen2.5-coder:1.5b`, `starcoder2:3b`). */
  matches: RegExp;
  build(input: FimInput): string;
  /** Sent as the request's stop strings: the family's special tokens. */
  stop: readonly string[];
}

/** Snippets as source comments before the prefix, for formats without a file separator. */
export function commentedSnippets(snippets: readonly FimSnippet[], language: string | undefined): string {
  if (snippets.length === 0) return '';
  const c = commentSyntax(language);
  return snippets
    .map((s) => {
      const lines = s.text.split('\n').map((l) => (c.end ? `${c.start} ${l} ${c.end}` : `${c.start} ${l}`));
      return `${c.end ? `${c.start} Path: ${s.path} ${c.end}` : `${c.start} Path: ${s.path}`}\n${lines.join('\n')}\n`;
    })
    .join('\n')
    .concat('\n');
}

const HASH = new Set(['python', 'shellscript', 'ruby', 'perl', 'r', 'yaml', 'toml', 'dockerfile', 'makefile', 'powershell', 'elixir', 'julia', 'coffeescript']);
const DASH = new Set(['sql', 'lua', 'haskell', 'elm']);
const MARKUP = new Set(['html', 'xml', 'markdown', 'vue-html', 'svg']);

/** The line comment of a language (by VS Code id); `//` when unknown. */
export function commentSyntax(language: string | undefined): { start: string; end?: string } {
  const l = (language ?? '').toLowerCase();
  if (HASH.has(l)) return { start: '#' };
  if (DASH.has(l)) return { start: '--' };
  if (MARKUP.has(l)) return { start: '<!--', end: '-->' };
  if (l === 'css' || l === 'scss' || l === 'less') return { start: '/*', end: '*/' };
  return { start: '//' };
}

const withComments = (i: FimInput) => commentedSnippets(i.snippets, i.language) + i.prefix;

export const FIM_FORMATS: readonly FimFormat[] = [
  {
    id: 'qwen-coder',
    matches: /qwen[^/]*coder|codeqwen/i,
    // Repository-level form when there are snippets: each file after <|file_sep|> with its path.
    build: (i) =>
      i.snippets.length === 0
        ? `<|fim_prefix|>${i.prefix}<|fim_suffix|>${i.suffix}<|fim_middle|>`
        : `<|repo_name|>workspace\n${i.snippets.map((s) => `<|file_sep|>${s.path}\n${s.text}\n`).join('')}<|file_sep|>${i.path ?? 'untitled'}\n<|fim_prefix|>${i.prefix}<|fim_suffix|>${i.suffix}<|fim_middle|>`,
    stop: ['<|endoftext|>', '<|fim_prefix|>', '<|fim_middle|>', '<|fim_suffix|>', '<|fim_pad|>', '<|repo_name|>', '<|file_sep|>', '<|im_start|>', '<|im_end|>'],
  },
  {
    id: 'codegemma',
    matches: /codegemma/i,
    build: (i) => `<|fim_prefix|>${withComments(i)}<|fim_suffix|>${i.suffix}<|fim_middle|>`,
    stop: ['<|fim_prefix|>', '<|fim_suffix|>', '<|fim_middle|>', '<|file_separator|>', '<end_of_turn>', '<eos>'],
  },
  {
    id: 'starcoder',
    matches: /starcoder|star-coder|stable-?code|octocoder/i,
    build: (i) =>
      `${i.snippets.map((s) => `<file_sep>${s.path}\n${s.text}\n`).join('')}${i.snippets.length ? `<file_sep>${i.path ?? 'untitled'}\n` : ''}<fim_prefix>${i.prefix}<fim_suffix>${i.suffix}<fim_middle>`,
    stop: ['<fim_prefix>', '<fim_suffix>', '<fim_middle>', '<file_sep>', '<|endoftext|>'],
  },
  {
    id: 'codellama',
    matches: /codellama|code-llama/i,
    build: (i) => `<PRE> ${withComments(i)} <SUF>${i.suffix} <MID>`,
    stop: ['<PRE>', '<SUF>', '<MID>', '<EOT>'],
  },
  {
    id: 'deepseek-coder',
    matches: /deepseek[^/]*coder/i,
    build: (i) => `<｜fim▁begin｜>${withComments(i)}<｜fim▁hole｜>${i.suffix}<｜fim▁end｜>`,
    stop: ['<｜fim▁begin｜>', '<｜fim▁hole｜>', '<｜fim▁end｜>', '<｜end▁of▁sentence｜>'],
  },
  {
    id: 'codestral',
    matches: /codestral/i,
    build: (i) => {
      const files = i.snippets.map((s) => `+++++ ${s.path}\n${s.text}\n\n`).join('');
      const prefix = files ? `${files}+++++ ${i.path ?? 'untitled'}\n${i.prefix}` : i.prefix;
      return `[SUFFIX]${i.suffix}[PREFIX]${prefix}`;
    },
    stop: ['[PREFIX]', '[SUFFIX]', '[MIDDLE]', '</s>'],
  },
];

/** The raw FIM format for a model name, or undefined when none is known. */
export function fimFormatFor(model: string): FimFormat | undefined {
  return FIM_FORMATS.find((f) => f.matches.test(model));
}

/** Every special token of every format: none may ever reach the editor. */
export const ALL_FIM_TOKENS: readonly string[] = [...new Set(FIM_FORMATS.flatMap((f) => f.stop))];
