import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import c from 'highlight.js/lib/languages/c';
import cpp from 'highlight.js/lib/languages/cpp';
import csharp from 'highlight.js/lib/languages/csharp';
import css from 'highlight.js/lib/languages/css';
import diff from 'highlight.js/lib/languages/diff';
import dockerfile from 'highlight.js/lib/languages/dockerfile';
import go from 'highlight.js/lib/languages/go';
import ini from 'highlight.js/lib/languages/ini';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import kotlin from 'highlight.js/lib/languages/kotlin';
import markdown from 'highlight.js/lib/languages/markdown';
import php from 'highlight.js/lib/languages/php';
import plaintext from 'highlight.js/lib/languages/plaintext';
import powershell from 'highlight.js/lib/languages/powershell';
import python from 'highlight.js/lib/languages/python';
import ruby from 'highlight.js/lib/languages/ruby';
import rust from 'highlight.js/lib/languages/rust';
import shell from 'highlight.js/lib/languages/shell';
import sql from 'highlight.js/lib/languages/sql';
import swift from 'highlight.js/lib/languages/swift';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';
import { h, type ComponentChild } from 'preact';

// Registered one by one (not highlight.js's full bundle) to keep the webview small.
const LANGUAGES = {
  bash, c, cpp, csharp, css, diff, dockerfile, go, ini, java, javascript, json, kotlin, markdown,
  php, plaintext, powershell, python, ruby, rust, shell, sql, swift, typescript, xml, yaml,
};
for (const [name, lang] of Object.entries(LANGUAGES)) hljs.registerLanguage(name, lang);

/** Past this size a block is shown plain: highlighting it would stall the frame. */
const MAX_HIGHLIGHT_CHARS = 100_000;

interface DataNode {
  scope?: string;
  children: Array<DataNode | string>;
}

/** hljs scope "title.function" → classes "hljs-title function_", as hljs's own HTML would have. */
function scopeClass(scope: string): string {
  if (scope.startsWith('language:')) return `language-${scope.slice('language:'.length)}`;
  const [first, ...rest] = scope.split('.');
  return [`hljs-${first}`, ...rest.map((p, i) => `${p}${'_'.repeat(i + 1)}`)].join(' ');
}

function toVNodes(node: DataNode | string): ComponentChild {
  if (typeof node === 'string') return node;
  const children = node.children.map(toVNodes);
  return node.scope ? h('span', { class: scopeClass(node.scope) }, children) : children;
}

export function knownLanguage(lang: string | undefined): string | undefined {
  if (!lang) return undefined;
  const name = lang.trim().split(/\s+/)[0]!.toLowerCase();
  return hljs.getLanguage(name) ? name : undefined;
}

/**
 * Highlights code into Preact vnodes by walking hljs's token tree (its emitter),
 * never through its HTML string, so nothing the model wrote can become markup.
 */
export function highlightCode(code: string, lang: string | undefined): ComponentChild {
  const language = knownLanguage(lang);
  if (!language || code.length > MAX_HIGHLIGHT_CHARS) return code;
  try {
    const result = hljs.highlight(code, { language, ignoreIllegals: true }) as unknown as { _emitter?: { rootNode?: DataNode } };
    const root = result._emitter?.rootNode;
    return root ? toVNodes(root) : code;
  } catch {
    return code;
  }
}

/**
 * Highlighting for a code block that is still streaming. Re-highlighting the whole
 * block every frame costs O(block) per frame; instead, runs of complete lines that
 * end with the grammar back at its top level (no string or comment left open) are
 * highlighted once and kept, and only the text after them is highlighted per frame.
 * Highlighting restarts cleanly at such a point, so the pieces show what one pass
 * would (a rule that looks across that line break is the rare exception, and the
 * finished block is highlighted in one pass anyway).
 */
export class LiveHighlighter {
  private readonly language: string | undefined;
  private done = '';
  /** Highlighted runs of lines; an entry never changes once added. */
  private readonly parts: ComponentChild[] = [];
  /** Lines up to here did not end at the top level: retried only once more lines arrive. */
  private triedTo = 0;

  constructor(readonly lang: string | undefined) {
    this.language = knownLanguage(lang);
  }

  highlight(code: string): { settled: readonly ComponentChild[]; rest: ComponentChild } {
    const language = this.language;
    if (!language || code.length > MAX_HIGHLIGHT_CHARS) return { settled: [], rest: code };
    if (!code.startsWith(this.done)) {
      this.done = '';
      this.parts.length = 0;
      this.triedTo = 0;
    }
    let rest = code.slice(this.done.length);
    const end = rest.lastIndexOf('\n') + 1;
    if (end > 0 && this.done.length + end > this.triedTo) {
      this.triedTo = this.done.length + end;
      const lines = rest.slice(0, end);
      const settled = highlightAtTop(lines, language);
      if (settled !== undefined) {
        this.parts.push(settled);
        this.done += lines;
        rest = rest.slice(end);
      }
    }
    return { settled: this.parts, rest: highlightCode(rest, language) };
  }
}

/** The vnodes of `code` if highlighting it ends back at the grammar's top level, else undefined. */
function highlightAtTop(code: string, language: string): ComponentChild | undefined {
  try {
    const result = hljs.highlight(code, { language, ignoreIllegals: true }) as unknown as { _emitter?: { rootNode?: DataNode }; _top?: unknown; illegal?: boolean };
    const root = result._emitter?.rootNode;
    if (!root || result.illegal || result._top !== hljs.getLanguage(language)) return undefined;
    return toVNodes(root);
  } catch {
    return undefined;
  }
}
