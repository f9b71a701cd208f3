/**
 * Splits a file into the pieces a search returns: one per function, class or
 * method where a definition can be recognised (JS/TS, Python, Go, Rust, Java,
 * C-family, Ruby, PHP…), one per heading in Markdown, line windows elsewhere.
 * Recognition is by definition lines and indentation rather than a parser: it
 * needs no grammar files (the .vsix stays small), it never fails on code that
 * does not parse, and for ranking it finds what matters — where a definition
 * starts, its name, its container. A doc comment or decorator above a
 * definition belongs to it. Long definitions are cut into windows that keep
 * their symbol. Pure.
 */
import { languageForFileName } from '../contextRules';

export interface Chunk {
  /** 1-based, inclusive. */
  startLine: number;
  endLine: number;
  /** The name the chunk defines, or null (a file's header, a window of text). */
  symbol: string | null;
  /** The class / impl / heading it lies in, if any. */
  container: string | null;
}

/** Longest chunk; a longer definition is cut into windows of this many lines. */
export const MAX_CHUNK_LINES = 80;
/** Line window for files with no recognised structure. */
export const WINDOW_LINES = 50;

const NAME = '([A-Za-z_$][\\w$]*)';
const JS_DEFS: RegExp[] = [
  new RegExp(`^(?:export\\s+)?(?:default\\s+)?(?:declare\\s+)?(?:async\\s+)?function\\s*\\*?\\s*${NAME}`),
  new RegExp(`^(?:export\\s+)?(?:default\\s+)?(?:declare\\s+)?(?:abstract\\s+)?(class|interface|enum|namespace|module)\\s+${NAME}`),
  new RegExp(`^(?:export\\s+)?(?:declare\\s+)?type\\s+${NAME}\\s*(?:<[^=]*>)?\\s*=`),
  new RegExp(`^(?:export\\s+)?(?:const|let|var)\\s+${NAME}\\s*(?::[^=]+)?=\\s*(?:async\\s+)?(?:function\\b|\\([^)]*\\)?\\s*(?::[^=]+)?=>|[\\w$]+\\s*=>|class\\b|\\(\\s*$|\\([^)]*$)`),
  new RegExp(`^(?:module\\.)?exports\\.${NAME}\\s*=`),
  new RegExp(`^[\\w$.]+\\.prototype\\.${NAME}\\s*=`),
  new RegExp(`^${NAME}\\s*[:=]\\s*(?:async\\s+)?(?:function\\b|\\([^)]*\\)\\s*=>)`),
  // Methods: `name(args) {`, with modifiers; control keywords are excluded below.
  new RegExp(`^(?:(?:public|private|protected|static|readonly|override|abstract|async|get|set|\\*)\\s+)*#?${NAME}\\s*(?:<[^>]*>)?\\s*\\([^;]*\\)\\s*(?::\\s*[^{;]+)?\\{\\s*$`),
];
const PY_DEFS = [new RegExp(`^(?:async\\s+)?def\\s+${NAME}`), new RegExp(`^(class)\\s+${NAME}`)];
const GO_DEFS = [new RegExp(`^func\\s+(?:\\(([^)]*)\\)\\s*)?${NAME}`), new RegExp(`^type\\s+${NAME}\\s+(?:struct|interface)`)];
const RUST_DEFS = [
  new RegExp(`^(?:pub(?:\\([\\w:]+\\))?\\s+)?(?:const\\s+)?(?:async\\s+)?(?:unsafe\\s+)?(?:extern\\s+"\\w+"\\s+)?fn\\s+${NAME}`),
  new RegExp(`^(?:pub(?:\\([\\w:]+\\))?\\s+)?(struct|enum|trait|mod|union)\\s+${NAME}`),
  new RegExp(`^(impl)(?:<[^>]*>)?\\s+(?:[\\w:<>]+\\s+for\\s+)?${NAME}`),
];
const RUBY_DEFS = [new RegExp(`^def\\s+(?:self\\.)?([\\w]+[?!=]?)`), new RegExp(`^(class|module)\\s+([\\w:]+)`)];
const PHP_DEFS = [
  new RegExp(`^(?:(?:public|private|protected|static|final|abstract)\\s+)*function\\s+&?${NAME}`),
  new RegExp(`^(?:(?:final|abstract)\\s+)?(class|interface|trait|enum)\\s+${NAME}`),
];
// Java, C#, Kotlin, Scala, Swift, C/C++: a type declaration, or a signature `type name(args)` ending in `{` or alone on its line.
const C_FAMILY_DEFS = [
  new RegExp(`^(?:(?:public|private|protected|internal|static|final|abstract|sealed|partial|open|data|export|inline)\\s+)*(class|interface|struct|enum|record|object|trait|protocol|extension|namespace|union)\\s+${NAME}`),
  new RegExp(`^(?:(?:public|private|protected|internal|static|final|abstract|override|virtual|async|synchronized|inline|extern|const|unsafe|open|suspend|fun|func|def|fn)\\s+)*(?:[\\w:<>,\\[\\]*&?. ]+\\s+[*&]*)?${NAME}\\s*\\([^;]*\\)\\s*(?:const\\s*)?(?:throws [\\w., ]+)?(?:->\\s*[^{]+)?(?::\\s*[^{=]+)?\\s*\\{?\\s*$`),
  new RegExp(`^(?:(?:public|private|protected|internal|override|open|suspend|inline)\\s+)*fun\\s+(?:<[^>]*>\\s*)?(?:[\\w.]+\\.)?${NAME}`),
  new RegExp(`^(?:(?:public|private|fileprivate|internal|static|override|open|mutating)\\s+)*func\\s+${NAME}`),
];
const NOT_A_NAME = new Set(['if', 'for', 'while', 'switch', 'catch', 'return', 'function', 'else', 'do', 'try', 'with', 'foreach', 'elif', 'sizeof', 'typeof', 'new', 'throw', 'await', 'yield', 'super', 'this', 'constructor_']);

type Family = 'js' | 'py' | 'go' | 'rust' | 'ruby' | 'php' | 'c' | 'markdown' | 'text';

const FAMILY: Record<string, Family> = {
  typescript: 'js', typescriptreact: 'js', javascript: 'js', javascriptreact: 'js', vue: 'js', svelte: 'js',
  python: 'py', go: 'go', rust: 'rust', ruby: 'ruby', php: 'php',
  java: 'c', kotlin: 'c', swift: 'c', c: 'c', cpp: 'c', csharp: 'c', scala: 'c', dart: 'c',
  markdown: 'markdown',
};

function familyOf(path: string): Family {
  const lang = languageForFileName(path);
  if (lang && Object.hasOwn(FAMILY, lang)) return FAMILY[lang]!;
  if (/\.(rst|adoc|asciidoc)$/i.test(path)) return 'markdown';
  return 'text';
}

const DEFS: Record<Exclude<Family, 'markdown' | 'text'>, RegExp[]> = { js: JS_DEFS, py: PY_DEFS, go: GO_DEFS, rust: RUST_DEFS, ruby: RUBY_DEFS, php: PHP_DEFS, c: C_FAMILY_DEFS };
/** Regexes whose first group is the kind of a container (class, impl…) and second the name. */
const CONTAINER_KINDS = new Set(['class', 'interface', 'enum', 'namespace', 'module', 'struct', 'trait', 'impl', 'mod', 'object', 'record', 'protocol', 'extension', 'union']);

interface Def {
  line: number; // 0-based
  indent: number;
  name: string;
  isContainer: boolean;
  /** Go's receiver type, which acts as the container of a method. */
  receiver?: string;
}

function indentOf(line: string): number {
  let n = 0;
  for (const c of line) {
    if (c === ' ') n++;
    else if (c === '\t') n += 4;
    else break;
  }
  return n;
}

function findDefs(lines: string[], family: Exclude<Family, 'markdown' | 'text'>): Def[] {
  const res = DEFS[family];
  const defs: Def[] = [];
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.length > 400) continue;
    const t = raw.trim();
    if (t.length < 3 || t.startsWith('//') || t.startsWith('*') || t.startsWith('#') && family !== 'c' && family !== 'py') continue;
    for (const re of res) {
      const m = re.exec(t);
      if (!m) continue;
      let name: string | undefined;
      let isContainer = false;
      let receiver: string | undefined;
      if (m.length >= 3 && m[2] !== undefined && m[1] !== undefined && CONTAINER_KINDS.has(m[1])) {
        name = m[2];
        isContainer = true;
      } else if (family === 'go' && re === GO_DEFS[0]) {
        name = m[2];
        receiver = m[1]?.match(/\*?\s*(\w+)\s*(?:\[[^\]]*\])?\s*$/)?.[1];
      } else name = m[m.length - 1] ?? m[1];
      if (!name || NOT_A_NAME.has(name)) continue;
      defs.push({ line: i, indent: indentOf(raw), name, isContainer, receiver });
      break;
    }
  }
  return defs;
}

/** Comment, decorator or attribute lines directly above a definition belong to it. */
function leadingStart(lines: string[], line: number, floor: number): number {
  let s = line;
  while (s - 1 > floor) {
    const t = lines[s - 1]!.trim();
    if (t === '' || !/^(?:\/\/|\/\*|\*|#(?!include|define|if|endif|else|pragma)|@|"""|'''|--|;;|\[|<!--)/.test(t)) break;
    s--;
  }
  return s;
}

function pushWindows(out: Chunk[], start: number, end: number, symbol: string | null, container: string | null): void {
  for (let s = start; s <= end; s += MAX_CHUNK_LINES) out.push({ startLine: s + 1, endLine: Math.min(end, s + MAX_CHUNK_LINES - 1) + 1, symbol, container });
}

function codeChunks(lines: string[], family: Exclude<Family, 'markdown' | 'text'>): Chunk[] {
  const defs = findDefs(lines, family);
  if (defs.length === 0) return windows(lines.length);
  // Container stack by indentation: a definition indented deeper than a class belongs to it.
  const stack: { indent: number; name: string }[] = [];
  const starts: { start: number; symbol: string; container: string | null }[] = [];
  let floor = -1;
  for (const d of defs) {
    while (stack.length && stack[stack.length - 1]!.indent >= d.indent) stack.pop();
    const container = d.receiver ?? stack[stack.length - 1]?.name ?? null;
    const start = leadingStart(lines, d.line, floor);
    starts.push({ start, symbol: d.name, container });
    floor = d.line;
    if (d.isContainer) stack.push({ indent: d.indent, name: d.name });
  }
  const out: Chunk[] = [];
  if (starts[0]!.start > 0) pushWindows(out, 0, starts[0]!.start - 1, null, null);
  for (let i = 0; i < starts.length; i++) {
    const s = starts[i]!;
    const end = (starts[i + 1]?.start ?? lines.length) - 1;
    if (end >= s.start) pushWindows(out, s.start, end, s.symbol, s.container);
  }
  return out;
}

function markdownChunks(lines: string[]): Chunk[] {
  const out: Chunk[] = [];
  let start = 0;
  let heading: string | null = null;
  let fenced = false;
  const flush = (end: number) => {
    if (end >= start) pushWindows(out, start, end, heading, null);
  };
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (/^\s*(```|~~~)/.test(l)) fenced = !fenced;
    if (fenced) continue;
    const h = /^(#{1,6})\s+(.+?)\s*#*\s*$/.exec(l) ?? (i + 1 < lines.length && /^(=+|-+)\s*$/.test(lines[i + 1]!) && l.trim() ? [l, '#', l.trim()] : null);
    if (h && i > start) {
      flush(i - 1);
      start = i;
    }
    if (h) heading = h[2]!.slice(0, 120);
  }
  flush(lines.length - 1);
  return out;
}

function windows(lineCount: number): Chunk[] {
  const out: Chunk[] = [];
  for (let s = 0; s < lineCount; s += WINDOW_LINES) out.push({ startLine: s + 1, endLine: Math.min(lineCount, s + WINDOW_LINES), symbol: null, container: null });
  return out;
}

/** The chunks of a file's text; the lines of `text` split on \n. Never empty for a non-empty file. */
export function chunkFile(path: string, lines: string[]): Chunk[] {
  if (lines.length === 0) return [];
  const family = familyOf(path);
  if (family === 'markdown') return markdownChunks(lines);
  if (family === 'text') return windows(lines.length);
  return codeChunks(lines, family);
}
