/** A session as a Markdown document ("Export as Markdown", in VS Code and in the browser). Pure. */
import { attachmentHeading, fenceFor, safeLanguage } from './attachments';
import type { Session } from './session';

function collapsed(summary: string, body: string, language = 'text'): string[] {
  const f = fenceFor(body);
  return ['<details>', `<summary>${summary}</summary>`, '', f + language, body.replace(/\n$/, ''), f, '', '</details>', ''];
}

export function sessionToMarkdown(s: Session): string {
  const lines: string[] = [`# ${s.title || 'Chat'}`, ''];
  const meta = [s.model ? `Model: ${s.model}` : '', `Started: ${new Date(s.created_at).toISOString()}`].filter(Boolean);
  lines.push(`_${meta.join(' · ')}_`, '');
  for (const m of s.messages) {
    if (m.role === 'system') continue;
    lines.push(m.role === 'user' ? '## You' : `## Assistant${m.model ? ` (${m.model})` : ''}`, '');
    for (const a of m.attachments ?? []) {
      lines.push(...collapsed(escapeSummary(attachmentHeading(a)), a.content, safeLanguage(a.language) ?? 'text'));
    }
    if (m.thinking) lines.push(...collapsed('Reasoning', m.thinking));
    lines.push(m.content || '_(no text)_', '');
    if (m.status === 'stopped') lines.push('_(stopped before the end)_', '');
    if (m.status === 'interrupted') lines.push('_(interrupted)_', '');
    if (m.error && m.status !== 'interrupted') lines.push(`_Error: ${m.error.message}_`, '');
  }
  return lines.join('\n');
}

/** `<summary>` is HTML: keep the heading's text literal. */
function escapeSummary(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A file name for the export, from the title. */
export function exportFileName(s: Pick<Session, 'title'>): string {
  const base = (s.title || 'chat').replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'chat';
  return `${base}.md`;
}
