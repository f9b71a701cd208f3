import type { ComponentChild } from 'preact';
import type { MarkedToken, Token, Tokens } from 'marked';
import { CodeBlock } from '../components/CodeBlock';
import { ImageLink, SafeLink } from '../components/Links';
import type { PlainReason, PlainToken } from './blocks';
import { decodeEntities } from './entities';

/**
 * marked tokens → Preact vnodes. Model text only ever becomes text nodes and a
 * fixed set of elements with fixed attributes: raw HTML is shown as text, links
 * and images go through SafeLink/ImageLink. There is no innerHTML anywhere.
 */
export function renderBlock(token: Token, open = false): ComponentChild {
  if (token.type === 'plain') return <PlainText text={token.raw} reason={(token as PlainToken).reason} />;
  const t = token as MarkedToken;
  switch (t.type) {
    case 'space':
    case 'def':
      return null;
    case 'code':
      return <CodeBlock code={t.text} lang={t.lang} open={open && isOpenFence(t)} />;
    case 'heading': {
      const Tag = `h${Math.min(Math.max(t.depth, 1), 6)}` as 'h1';
      return <Tag class="md-heading">{renderInline(t.tokens)}</Tag>;
    }
    case 'paragraph':
      return <p>{renderInline(t.tokens)}</p>;
    case 'blockquote':
      return <blockquote>{renderBlocks(t.tokens)}</blockquote>;
    case 'list':
      return renderList(t);
    case 'table':
      return renderTable(t);
    case 'hr':
      return <hr />;
    case 'html':
      // Raw HTML from a model is shown, never parsed.
      return <p class="md-raw-html">{t.raw}</p>;
    case 'text':
      return t.tokens ? renderInline(t.tokens) : decodeEntities(t.text);
    default:
      return <p>{token.raw}</p>;
  }
}

const PLAIN_NOTES: Record<PlainReason, string | undefined> = {
  depth: 'Shown as plain text: nested too deeply to format.',
  error: 'Shown as plain text: this part could not be formatted.',
  slow: undefined, // formatted once the reply ends
};

/** Model text kept as it was written (whitespace and all), for blocks that are not formatted. */
export function PlainText({ text, reason }: { text: string; reason: PlainReason }) {
  return (
    <p class="md-plain" title={PLAIN_NOTES[reason]}>
      {text}
    </p>
  );
}

export function renderBlocks(tokens: Token[]): ComponentChild[] {
  return tokens.map((t) => renderBlock(t));
}

function isOpenFence(t: Tokens.Code): boolean {
  if (t.codeBlockStyle === 'indented') return false;
  const raw = t.raw.replace(/\s+$/, '');
  const fence = /^ {0,3}(`{3,}|~{3,})/.exec(raw)?.[1];
  if (!fence) return false;
  const lines = raw.split('\n');
  return lines.length < 2 || !lines[lines.length - 1]!.trim().startsWith(fence);
}

function renderList(t: Tokens.List): ComponentChild {
  const items = t.items.map((item) => (
    <li class={item.task ? 'md-task' : undefined}>
      {item.task && <input type="checkbox" checked={!!item.checked} disabled aria-label={item.checked ? 'done' : 'not done'} />}
      {item.tokens.map((tok) => (tok.type === 'checkbox' ? null : renderBlock(tok)))}
    </li>
  ));
  if (t.ordered) {
    const start = typeof t.start === 'number' && t.start !== 1 ? t.start : undefined;
    return <ol start={start}>{items}</ol>;
  }
  return <ul>{items}</ul>;
}

function renderTable(t: Tokens.Table): ComponentChild {
  const align = (a: Tokens.TableCell['align']) => (a ? { textAlign: a } : undefined);
  return (
    <div class="md-table">
      <table>
        <thead>
          <tr>
            {t.header.map((c) => (
              <th style={align(c.align)}>{renderInline(c.tokens)}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {t.rows.map((row) => (
            <tr>
              {row.map((c) => (
                <td style={align(c.align)}>{renderInline(c.tokens)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function renderInline(tokens: Token[] | undefined): ComponentChild[] {
  if (!tokens) return [];
  return tokens.map(renderInlineToken);
}

function renderInlineToken(token: Token): ComponentChild {
  const t = token as MarkedToken;
  switch (t.type) {
    case 'text':
      return t.tokens ? renderInline(t.tokens) : decodeEntities(t.text);
    case 'escape':
      return decodeEntities(t.text);
    case 'strong':
      return <strong>{renderInline(t.tokens)}</strong>;
    case 'em':
      return <em>{renderInline(t.tokens)}</em>;
    case 'del':
      return <del>{renderInline(t.tokens)}</del>;
    case 'codespan':
      return <code class="md-codespan">{t.text}</code>;
    case 'br':
      return <br />;
    case 'link': {
      const href = t.autolink ? t.href : decodeEntities(t.href);
      return <SafeLink href={href}>{renderInline(t.tokens)}</SafeLink>;
    }
    case 'image':
      return <ImageLink href={decodeEntities(t.href)} alt={decodeEntities(t.text)} />;
    case 'html':
      return <span class="md-raw-html">{t.raw}</span>;
    case 'checkbox':
      return null;
    default:
      return token.raw;
  }
}
