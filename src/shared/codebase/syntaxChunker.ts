/**
 * Chunks by syntax tree where a tree-sitter grammar knows the language
 * (TypeScript/TSX, JavaScript, Python, Go, Rust, Java, C/C++, C#, Ruby, PHP):
 * one chunk per function, class, method, interface or type, named by the
 * parser; a large class (or object, namespace, impl) split into its members;
 * small adjacent statements grouped; comments, decorators and attributes
 * directly above a definition kept with it, a docstring inside it.
 *
 * The regex chunker (chunker.ts) stays the fallback, and `chunk` answers
 * undefined to ask for it: a language without a grammar here, a grammar that
 * failed to load, a file over `maxChars` (generated, most likely), a parse
 * still unfinished after `deadlineMs`, a tree with more nodes than one walk
 * may look at (walking cannot yield), or a tree that is mostly errors (the
 * regexes do better on text that does not parse). A parse is one wasm call that
 * cannot yield, so it is cancelled every `sliceMs` and resumed after the event
 * loop has had its turn: no slice of work on the extension host near 50 ms.
 *
 * Pure: the tree-sitter runtime and the bytes of its .wasm files are injected
 * (Node reads them from dist/tree-sitter with fs, the extension from its
 * folder with workspace.fs), so this file needs no Node built-in.
 */
import type * as TreeSitter from '@vscode/tree-sitter-wasm';
import { languageForFileName } from '../contextRules';
import { MAX_CHUNK_LINES, WINDOW_LINES, type Chunk } from './chunker';

type TsNode = TreeSitter.Node;

/** What this module uses of `@vscode/tree-sitter-wasm` (injected, so the caller decides how it is loaded). */
export interface TreeSitterRuntime {
  Parser: {
    init(moduleOptions?: object): Promise<void>;
    new (): TreeSitter.Parser;
  };
  Language: { load(input: Uint8Array): Promise<TreeSitter.Language> };
}

export interface SyntaxChunkerOptions {
  runtime: TreeSitterRuntime;
  /** The bytes of a file of the grammar folder: `tree-sitter.wasm` (the runtime) or `tree-sitter-<grammar>.wasm`. */
  loadWasm: (file: string) => Promise<Uint8Array>;
  /** Definitions longer than this many lines are split into their members (default SPLIT_LINES). */
  splitLines?: number;
  /** Longer texts go to the regex chunker (default 256 K characters: such a file is mostly generated, and walking its tree, which cannot yield, would take 20 ms and more). */
  maxChars?: number;
  /** Longest stretch of parsing before the event loop gets a turn (default 15 ms); the parse then resumes. */
  sliceMs?: number;
  /** A parse still unfinished after this long (wall clock, yields included) is abandoned for the regex chunker (default 3 s). */
  deadlineMs?: number;
  log?: (message: string) => void;
}

/** The grammar (a `tree-sitter-<name>.wasm` file) per VS Code language id. C is parsed by the C++ grammar (a near superset; @vscode/tree-sitter-wasm ships no C grammar). */
const GRAMMAR_OF: Record<string, string> = {
  typescript: 'typescript', typescriptreact: 'tsx', javascript: 'javascript', javascriptreact: 'javascript',
  python: 'python', go: 'go', rust: 'rust', java: 'java', c: 'cpp', cpp: 'cpp', csharp: 'c-sharp', ruby: 'ruby', php: 'php',
};

/** Every .wasm file the chunker may load (esbuild.mjs copies these into dist/tree-sitter; a unit test keeps the lists equal). */
export const TREE_SITTER_FILES: readonly string[] = ['tree-sitter.wasm', ...[...new Set(Object.values(GRAMMAR_OF))].sort().map((g) => `tree-sitter-${g}.wasm`)];

/** The grammar that parses a file, or undefined (the regex chunker's). */
export function grammarFor(path: string): string | undefined {
  if (/\.(min|bundle)\.js$/i.test(path)) return undefined;
  const lang = languageForFileName(path);
  return lang && Object.hasOwn(GRAMMAR_OF, lang) ? GRAMMAR_OF[lang] : undefined;
}

/** Node types that define something, per grammar family; how the name is found is in `defName`. */
const JS_DEFS = ['function_declaration', 'generator_function_declaration', 'class_declaration', 'abstract_class_declaration', 'method_definition', 'interface_declaration', 'type_alias_declaration', 'enum_declaration', 'internal_module', 'module', 'function_signature', 'abstract_method_signature', 'lexical_declaration', 'variable_declaration', 'export_statement', 'expression_statement', 'pair', 'public_field_definition', 'field_definition', 'ambient_declaration'];
const DEFS: Record<string, ReadonlySet<string>> = {
  typescript: new Set(JS_DEFS),
  tsx: new Set(JS_DEFS),
  javascript: new Set(JS_DEFS),
  python: new Set(['function_definition', 'class_definition', 'decorated_definition']),
  go: new Set(['function_declaration', 'method_declaration', 'type_declaration']),
  rust: new Set(['function_item', 'function_signature_item', 'struct_item', 'enum_item', 'union_item', 'trait_item', 'impl_item', 'mod_item', 'macro_definition', 'type_item', 'const_item', 'static_item']),
  java: new Set(['class_declaration', 'interface_declaration', 'enum_declaration', 'record_declaration', 'annotation_type_declaration', 'method_declaration', 'constructor_declaration']),
  cpp: new Set(['function_definition', 'class_specifier', 'struct_specifier', 'union_specifier', 'enum_specifier', 'namespace_definition', 'template_declaration', 'type_definition', 'declaration', 'field_declaration']),
  'c-sharp': new Set(['class_declaration', 'struct_declaration', 'interface_declaration', 'enum_declaration', 'record_declaration', 'method_declaration', 'constructor_declaration', 'property_declaration', 'namespace_declaration', 'file_scoped_namespace_declaration', 'delegate_declaration', 'operator_declaration']),
  ruby: new Set(['method', 'singleton_method', 'class', 'module', 'singleton_class']),
  php: new Set(['function_definition', 'class_declaration', 'interface_declaration', 'trait_declaration', 'enum_declaration', 'method_declaration', 'namespace_definition']),
};

/** Sibling nodes that belong to the definition right below them. */
const ATTACHED = new Set(['comment', 'line_comment', 'block_comment', 'decorator', 'attribute_item', 'inner_attribute_item', 'html_comment']);

/** Values that make `const x = …` (or a field, a pair, an assignment) a definition of x whatever its length. */
const FUNCTION_VALUES = new Set(['arrow_function', 'function_expression', 'function', 'generator_function', 'class', 'class_expression']);

/** Control flow is not a body of members: a function is not cut at a definition inside an `if`. */
const CONTROL = /^(?:if|else|for|for_in|for_of|foreach|while|do|switch|expression_switch|type_switch|select|try|catch|with|match|loop|case|unless|until|begin|rescue)_|^(?:elif|else|except|finally)_clause$/;

/** Containers smaller than this stay one chunk; larger ones are split into their members. */
export const SPLIT_LINES = 40;
/** How deep under a large node its members are looked for (an IIFE's body lies 4 levels down). */
const BODY_DEPTH = 4;
/** How many nodes the search for members may look at. */
const BODY_VISITS = 600;
/** How many nodes one file's walk may look at (2,900 took 73 ms at load average 10; this is about 35 ms). */
const WALK_VISITS = 1500;

interface Name {
  symbol: string;
  container?: string;
}

const cut = (s: string) => (s.length > 120 ? s.slice(0, 120) : s);
const endRow = (n: TsNode) => (n.endPosition.column === 0 && n.endPosition.row > n.startPosition.row ? n.endPosition.row - 1 : n.endPosition.row);
const lineCount = (n: TsNode) => endRow(n) - n.startPosition.row + 1;
const named = (n: TsNode): TsNode[] => n.namedChildren.filter((c): c is TsNode => c !== null);

/** The last identifier of a declarator chain (C/C++ `int *Foo::bar(int)` → bar, container Foo). */
function declaratorName(n: TsNode | null, depth = 0): Name | undefined {
  if (!n || depth > 8) return undefined;
  switch (n.type) {
    case 'identifier':
    case 'field_identifier':
    case 'type_identifier':
    case 'destructor_name':
    case 'operator_name':
    case 'namespace_identifier':
      return { symbol: n.text };
    case 'qualified_identifier': {
      const inner = declaratorName(n.childForFieldName('name'), depth + 1);
      const scope = n.childForFieldName('scope')?.text;
      return inner && { symbol: inner.symbol, ...(scope ? { container: scope } : {}) };
    }
    default:
      return declaratorName(n.childForFieldName('declarator') ?? n.childForFieldName('name'), depth + 1);
  }
}

/** The text of a name field: an identifier, or the last part of a dotted / scoped one. */
function nameField(n: TsNode, field = 'name'): string | undefined {
  const f = n.childForFieldName(field);
  if (!f) return undefined;
  const t = f.text.trim();
  if (!t || t.length > 200 || /\s{2,}|\n/.test(t)) return undefined;
  return t;
}

/** A type's bare name: `*Engine[T]` → Engine, `Display for Foo<T>` → Foo. */
function bareType(t: string): string | undefined {
  return /([A-Za-z_$][\w$]*)\s*(?:<[^<>]*(?:<[^<>]*>[^<>]*)*>|\[[^\]]*\])?\s*$/.exec(t.replace(/^\s*[*&]+/, ''))?.[1];
}

/** The node a wrapper (export, decorators, template) wraps, or the node itself. */
function core(n: TsNode): TsNode {
  for (let i = 0; i < 3; i++) {
    const inner =
      n.type === 'export_statement' ? n.childForFieldName('declaration') ?? named(n).find((c) => c.type !== 'decorator' && c.type !== 'comment')
        : n.type === 'decorated_definition' ? n.childForFieldName('definition')
          : n.type === 'template_declaration' ? named(n).find((c) => c.type !== 'template_parameter_list')
            : n.type === 'ambient_declaration' ? named(n)[0]
              : null;
    if (!inner) return n;
    n = inner;
  }
  return n;
}

/** What a definition node defines, or undefined when the node defines nothing (a statement, a one-line constant). */
function defName(node: TsNode, grammar: string, top = false, moduleName?: string): Name | undefined {
  if (!DEFS[grammar]!.has(node.type)) return undefined;
  const n = core(node);
  if (n !== node && !DEFS[grammar]!.has(n.type) && n.type !== 'class' && n.type !== 'function_expression' && n.type !== 'arrow_function') return undefined;
  switch (n.type) {
    case 'lexical_declaration':
    case 'variable_declaration': {
      const d = named(n).find((c) => c.type === 'variable_declarator');
      const value = d?.childForFieldName('value');
      const name = d?.childForFieldName('name');
      if (!d || !name || name.type !== 'identifier' || !value) return undefined;
      // A function or a class defines its name; so does, at the top of a file, any value over several lines (a table, a config
      // object). A one-line constant is glue, and so is a local variable: a function is not cut at its locals.
      return FUNCTION_VALUES.has(value.type) || (top && lineCount(value) >= 3) ? { symbol: name.text } : undefined;
    }
    case 'expression_statement': {
      // module.exports.x = …, Foo.prototype.bar = function…, exports.x = …
      const a = named(n)[0];
      if (a?.type !== 'assignment_expression') return undefined;
      const left = a.childForFieldName('left');
      const value = a.childForFieldName('right');
      if (left?.type !== 'member_expression' || !value) return undefined;
      const prop = left.childForFieldName('property')?.text;
      if (!prop) return undefined;
      // `module.exports = function () {…}`: the module's one export, named as its importers name it (after the file).
      if (prop === 'exports') return left.childForFieldName('object')?.text === 'module' && FUNCTION_VALUES.has(value.type) && moduleName ? { symbol: nameField(value) ?? moduleName } : undefined;
      if (!FUNCTION_VALUES.has(value.type) && !(top && lineCount(value) >= 3)) return undefined;
      const obj = left.childForFieldName('object')?.text ?? '';
      const owner = /(?:^|\.)([A-Za-z_$][\w$]*)\.prototype$/.exec(obj)?.[1];
      return { symbol: prop, ...(owner ? { container: owner } : {}) };
    }
    case 'pair': {
      const value = n.childForFieldName('value');
      const key = n.childForFieldName('key');
      // Only functions: an object's data keys (`docs`, `schema`) would be noise as symbols.
      if (!key || !value || !FUNCTION_VALUES.has(value.type)) return undefined;
      return { symbol: key.text.replace(/^['"`]|['"`]$/g, '') };
    }
    case 'public_field_definition':
    case 'field_definition': {
      const value = n.childForFieldName('value');
      const name = nameField(n, 'name') ?? nameField(n, 'property');
      return name && value && FUNCTION_VALUES.has(value.type) ? { symbol: name } : undefined;
    }
    case 'class':
    case 'function_expression':
    case 'arrow_function': {
      // `export default function () {…}`: anonymous, named after the file as above.
      const name = nameField(n) ?? moduleName;
      return name ? { symbol: name } : undefined;
    }
    case 'method_declaration':
      if (grammar === 'go') {
        const recv = n.childForFieldName('receiver');
        const type = recv && named(recv).find((c) => c.type === 'parameter_declaration')?.childForFieldName('type')?.text;
        const name = nameField(n);
        return name ? { symbol: name, ...(type && bareType(type) ? { container: bareType(type)! } : {}) } : undefined;
      }
      break;
    case 'type_declaration': {
      const spec = named(n).find((c) => c.type === 'type_spec' || c.type === 'type_alias');
      const name = spec && nameField(spec);
      return name ? { symbol: name } : undefined;
    }
    case 'impl_item': {
      const type = nameField(n, 'type');
      const name = type && bareType(type);
      const trait = nameField(n, 'trait');
      return name ? { symbol: name, ...(trait && bareType(trait) ? { container: bareType(trait)! } : {}) } : undefined;
    }
    case 'const_item':
    case 'static_item': {
      const name = nameField(n);
      return name && top && lineCount(n) >= 3 ? { symbol: name } : undefined;
    }
    case 'function_definition':
      if (grammar === 'cpp') return declaratorName(n.childForFieldName('declarator'));
      break;
    case 'declaration':
    case 'field_declaration': {
      // C/C++: a prototype or a struct with a body; a plain variable is glue.
      const type = n.childForFieldName('type');
      if (type && /^(struct|class|union|enum)_specifier$/.test(type.type) && type.childForFieldName('body')) return defName(type, grammar, top);
      const decl = n.childForFieldName('declarator');
      return decl?.type === 'function_declarator' ? declaratorName(decl) : undefined;
    }
    case 'class_specifier':
    case 'struct_specifier':
    case 'union_specifier':
    case 'enum_specifier': {
      if (!n.childForFieldName('body')) return undefined;
      const name = n.childForFieldName('name');
      return name ? declaratorName(name) ?? { symbol: name.text } : undefined;
    }
    case 'type_definition': {
      const inner = n.childForFieldName('type');
      if (!inner?.childForFieldName('body')) return undefined;
      return declaratorName(n.childForFieldName('declarator'));
    }
    case 'namespace_definition':
      if (grammar === 'cpp') {
        const name = nameField(n);
        return name ? { symbol: name } : undefined;
      }
      break;
    default:
      break;
  }
  const name = nameField(n);
  if (!name) return undefined;
  // Ruby's `class Foo::Bar`, PHP's `namespace App\Http`: the last part names it.
  return { symbol: cut(name.split(/::|\\|\./).filter(Boolean).pop() ?? name) };
}

/** Thrown when a tree has more nodes than a walk may look at (the walk cannot yield). */
class TooManyNodes extends Error {}

class Builder {
  readonly out: Chunk[] = [];
  /** Nodes the walk may still look at: each costs calls into wasm (a 12,000-function file took 90 ms); past it, definition lines. */
  private visits = WALK_VISITS;
  constructor(
    private readonly grammar: string,
    private readonly lines: readonly string[],
    private readonly moduleName?: string,
    private readonly splitLines = SPLIT_LINES,
  ) {}

  private push(start: number, end: number, symbol: string | null, container: string | null): void {
    // Blank lines at either end belong to no one.
    while (start < end && !this.lines[start]?.trim()) start++;
    while (end > start && !this.lines[end]?.trim()) end--;
    if (end < start || (start === end && !this.lines[start]?.trim())) return;
    // A definition is cut into windows of MAX_CHUNK_LINES that keep its name; unnamed text into the regex chunker's shorter windows.
    const size = symbol ? MAX_CHUNK_LINES : WINDOW_LINES;
    for (let s = start; s <= end; s += size) this.out.push({ startLine: s + 1, endLine: Math.min(end, s + size - 1) + 1, symbol: symbol && cut(symbol), container: container && cut(container) });
  }

  /** Chunks a run of sibling nodes; rows [from, to] bound what they may cover. */
  siblings(nodes: readonly TsNode[], container: string | null, from: number, to: number, top = false): void {
    let glueStart = -1;
    let glueEnd = -1;
    let lastDef = -1; // index in `out` of the definition chunk just before, while nothing else came after it
    const flush = () => {
      const prev = lastDef >= 0 ? this.out[lastDef] : undefined;
      // Statements right after a definition join it when they fit (as the regex chunker does): on their own, a few lines would
      // make a short chunk that length normalisation ranks above the code around it.
      if (glueStart >= 0 && prev && lastDef === this.out.length - 1 && glueEnd + 1 - prev.startLine + 1 <= MAX_CHUNK_LINES) prev.endLine = glueEnd + 1;
      else if (glueStart >= 0) {
        this.push(glueStart, glueEnd, null, container);
        lastDef = -1;
      }
      glueStart = glueEnd = -1;
    };
    const glue = (s: number, e: number) => {
      if (glueStart >= 0 && e - glueStart + 1 > MAX_CHUNK_LINES) flush();
      if (glueStart < 0) glueStart = s;
      glueEnd = Math.max(glueEnd, e);
    };
    let attachedFrom = -1; // first row of the comments / decorators directly above the next node
    let prevEnd = from - 1;
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i]!;
      const s = Math.max(n.startPosition.row, from);
      const e = Math.min(endRow(n), to);
      if (e < s) continue;
      if (ATTACHED.has(n.type)) {
        if (attachedFrom < 0 || s > prevEnd + 1) {
          // A gap ends a run of comments: what came before is glue.
          if (attachedFrom >= 0) glue(attachedFrom, prevEnd);
          attachedFrom = s;
        }
        prevEnd = Math.max(prevEnd, e);
        continue;
      }
      const name = defName(n, this.grammar, top, top ? this.moduleName : undefined);
      const adjacent = attachedFrom >= 0 && s <= prevEnd + 1;
      if (!name) {
        const start = attachedFrom >= 0 ? attachedFrom : s;
        attachedFrom = -1;
        if (e - s + 1 > MAX_CHUNK_LINES) {
          flush();
          // An unnamed block (`module.exports = {…}`, an IIFE): its header may join the definition before it, like other statements.
          this.large(n, start, e, null, container, lastDef === this.out.length - 1 ? lastDef : -1);
          lastDef = -1;
        } else glue(start, e);
        prevEnd = Math.max(prevEnd, e);
        continue;
      }
      if (attachedFrom >= 0 && !adjacent) glue(attachedFrom, prevEnd);
      const start = adjacent ? attachedFrom : s;
      attachedFrom = -1;
      flush();
      const outer = name.container ?? container;
      if (e - start + 1 > this.splitLines) this.large(n, start, e, name.symbol, outer);
      else {
        this.push(start, e, name.symbol, outer);
        lastDef = this.out.length - 1;
      }
      prevEnd = Math.max(prevEnd, e);
    }
    if (attachedFrom >= 0) glue(attachedFrom, prevEnd);
    flush();
  }

  /** A node too long for one chunk: its header, then its members (a class's methods, an object's functions), else windows. */
  private large(n: TsNode, start: number, end: number, symbol: string | null, container: string | null, joinTo = -1): void {
    const body = this.bodyOf(n);
    if (!body) return this.push(start, end, symbol, container);
    const members = this.kids(body);
    const first = members.findIndex((m) => defName(m, this.grammar));
    // The header holds what comes before the first member definition (the signature, fields, a docstring) and its comments.
    let firstRow = members[first]!.startPosition.row;
    for (let i = first - 1; i >= 0 && ATTACHED.has(members[i]!.type) && endRow(members[i]!) >= firstRow - 1; i--) firstRow = members[i]!.startPosition.row;
    const prev = this.out[joinTo];
    if (prev && firstRow - prev.startLine + 1 <= MAX_CHUNK_LINES) prev.endLine = Math.max(prev.endLine, firstRow);
    else if (firstRow > start) this.push(start, firstRow - 1, symbol, container);
    const from = Math.max(firstRow, start);
    const bodyEnd = Math.min(endRow(body), end);
    this.siblings(members.filter((m) => endRow(m) >= from), symbol ?? container, from, bodyEnd);
    // What follows the members (a closing line or two is left out).
    if (end - bodyEnd > 2) this.push(bodyEnd + 1, end, symbol, container);
  }

  private spend(n: number): void {
    this.visits -= n;
    if (this.visits < 0) throw new TooManyNodes();
  }

  /** A node's named children, paid for before they are made (making them is most of the cost). */
  kids(n: TsNode): TsNode[] {
    this.spend(n.namedChildCount);
    return named(n);
  }

  /** The nearest node under `n` (or n) whose children include a definition; definitions below are not entered. */
  private bodyOf(n: TsNode): TsNode | undefined {
    let level: TsNode[] = [core(n)];
    // Every node looked at costs calls into wasm: a table of thousands of entries is given up on (it is cut into windows).
    let budget = BODY_VISITS;
    for (let depth = 0; depth <= BODY_DEPTH && level.length; depth++) {
      const next: TsNode[] = [];
      for (const c of level) {
        budget -= c.namedChildCount;
        if (budget < 0) return undefined;
        const kids = this.kids(c);
        if (kids.some((k) => defName(k, this.grammar))) return c;
        // A node of a line or two holds no members worth a chunk of their own.
        for (const k of kids) if (lineCount(k) > 2 && (depth === 0 || (!defName(k, this.grammar) && !CONTROL.test(k.type)))) next.push(k);
      }
      level = next;
    }
    return undefined;
  }
}

/** Chunks from a tree: its top-level nodes (and, for long ones, their members); undefined for a tree with too many nodes to walk at once. */
export function chunksOfTree(root: TsNode, grammar: string, lines: readonly string[], path = '', splitLines = SPLIT_LINES): Chunk[] | undefined {
  const b = new Builder(grammar, lines, moduleNameOf(path), splitLines);
  try {
    b.siblings(b.kids(root), null, 0, lines.length - 1, true);
  } catch (e) {
    if (e instanceof TooManyNodes) return undefined;
    throw e;
  }
  return b.out;
}

/** How importers name a module: its file name without extension (`lib/options.js` → options), its folder's for an index file. */
function moduleNameOf(path: string): string | undefined {
  const parts = path.split('/');
  let stem = parts.pop()?.replace(/\..*$/, '');
  if (stem === 'index') stem = parts.pop();
  return stem && /^[\w$-]+$/.test(stem) ? stem : undefined;
}

/** Top-level ERROR nodes covering more than half of the lines: the text is not (mostly) this language. */
function mostlyErrors(root: TsNode, lineCountTotal: number): boolean {
  if (!root.hasError || root.namedChildCount > WALK_VISITS) return false;
  let bad = 0;
  for (const c of named(root)) if (c.type === 'ERROR') bad += lineCount(c);
  return bad * 2 > lineCountTotal;
}

/** One start per runtime: `Parser.init` makes the wasm module, and a second init would strand the languages loaded under the first. */
const started = new WeakMap<TreeSitterRuntime, Promise<boolean>>();

export class SyntaxChunker {
  private readonly languages = new Map<string, Promise<TreeSitter.Language | undefined>>();
  private parser: TreeSitter.Parser | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;
  private readonly maxChars: number;
  private readonly sliceMs: number;
  private readonly deadlineMs: number;

  constructor(private readonly opts: SyntaxChunkerOptions) {
    this.maxChars = opts.maxChars ?? 256 * 1024;
    this.sliceMs = opts.sliceMs ?? 15;
    this.deadlineMs = opts.deadlineMs ?? 3000;
  }

  /**
   * The chunks of a file by its syntax tree, or undefined when the regex chunker must do it (no grammar for
   * the language, a grammar that failed to load, a file too large, a parse out of time, a tree mostly errors). Never rejects.
   */
  chunk(path: string, lines: readonly string[]): Promise<Chunk[] | undefined> {
    const grammar = grammarFor(path);
    if (!grammar || lines.length === 0 || this.disposed) return Promise.resolve(undefined);
    let chars = 0;
    for (const l of lines) chars += l.length + 1;
    if (chars > this.maxChars) return Promise.resolve(undefined);
    // One parse at a time: a parse cut into slices is resumed by the next call on the same parser, which must see the same text.
    const run = this.queue.then(() => this.chunkNow(path, grammar, lines));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async chunkNow(path: string, grammar: string, lines: readonly string[]): Promise<Chunk[] | undefined> {
    const language = await this.language(grammar);
    if (!language || this.disposed) return undefined;
    let tree: TreeSitter.Tree | null = null;
    const parser = (this.parser ??= new this.opts.runtime.Parser());
    try {
      parser.setLanguage(language);
      parser.reset();
      const text = lines.join('\n');
      const first = performance.now();
      // A parse is one wasm call that cannot yield; cancelled after `sliceMs` it keeps its state, and the next
      // call with the same text resumes it after the event loop has had its turn.
      for (;;) {
        const started = performance.now();
        const progressCallback = (() => performance.now() - started > this.sliceMs) as unknown as (s: TreeSitter.ParseState) => void; // true cancels (the declared type says void)
        tree = parser.parse(text, null, { progressCallback });
        if (tree) break;
        if (performance.now() - first > this.deadlineMs) return undefined;
        await new Promise((r) => setTimeout(r, 0));
        if (this.disposed) return undefined;
      }
      if (mostlyErrors(tree.rootNode, lines.length)) return undefined;
      const chunks = chunksOfTree(tree.rootNode, grammar, lines, path, this.opts.splitLines);
      return chunks?.length ? chunks : undefined;
    } catch (e) {
      this.opts.log?.(`tree-sitter could not chunk ${path} (${e instanceof Error ? e.message : String(e)}); chunked by definition lines`);
      return undefined;
    } finally {
      tree?.delete();
      if (!tree && !this.disposed) parser.reset(); // an abandoned parse must not be resumed by the next file
    }
  }

  /** Frees the parser once a chunk in progress has stopped (at its next slice); later calls answer undefined. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    void this.queue.then(() => {
      this.parser?.delete();
      this.parser = undefined;
    });
  }

  private init(): Promise<boolean> {
    let p = started.get(this.opts.runtime);
    if (p) return p;
    p = (async () => {
      try {
        const wasmBinary = await this.opts.loadWasm('tree-sitter.wasm');
        await this.opts.runtime.Parser.init({ wasmBinary });
        return true;
      } catch (e) {
        this.opts.log?.(`tree-sitter did not start (${e instanceof Error ? e.message : String(e)}); files are chunked by definition lines`);
        started.delete(this.opts.runtime); // another chunker (other bytes) may try again
        return false;
      }
    })();
    started.set(this.opts.runtime, p);
    return p;
  }

  private language(grammar: string): Promise<TreeSitter.Language | undefined> {
    let p = this.languages.get(grammar);
    if (!p) {
      p = (async () => {
        if (!(await this.init())) return undefined;
        try {
          return await this.opts.runtime.Language.load(await this.opts.loadWasm(`tree-sitter-${grammar}.wasm`));
        } catch (e) {
          this.opts.log?.(`the tree-sitter grammar for ${grammar} did not load (${e instanceof Error ? e.message : String(e)}); those files are chunked by definition lines`);
          return undefined;
        }
      })();
      this.languages.set(grammar, p);
    }
    return p;
  }
}
