/** A session as a Markdown document (for "Export"). Pure. */
import type { Session } from '../../shared/session';

function fenceFor(text: string): string {
  // A fence longer than any backtick run inside, so quoted code blocks stay intact.
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  return '`'.repeat(longest + 1);
}

export function sessionToMarkdown(s: Session): string {
  const lines: string[] = [`# ${s.title}`, ''];
  const meta = [s.model ? `Model: ${s.model}` : '', `Started: ${new Date(s.created_at).toISOString()}`].filter(Boolean);
  lines.push(`_${meta.join(' · ')}_`, '');
  for (const m of s.messages) {
    if (m.role === 'system') continue;
    lines.push(m.role === 'user' ? '## You' : `## Assistant${m.model ? ` (${m.model})` : ''}`, '');
    if (m.thinking) {
      const f = fenceFor(m.thinking);
      lines.push('<details><summary>Reasoning</summary>', '', f + 'text', m.thinking, f, '', '</details>', '');
    }
    lines.push(m.content || '_(no text)_', '');
    if (m.status === 'stopped') lines.push('_(stopped)_', '');
    if (m.status === 'interrupted') lines.push('_(interrupted)_', '');
    if (m.error) lines.push(`_Error: ${m.error.message}_`, '');
  }
  return lines.join('\n');
}

/** A file name for the export, from the title. */
export function exportFileName(s: Session): string {
  const base = s.title.replace(/[^\p{L}\p{N}\- _.]+/gu, '').trim().replace(/\s+/g, '-').slice(0, 60) || 'chat';
  return `${base}.md`;
}
