import type { Session } from '../../src/shared/session';

/** A session as a Markdown document (for "Export as Markdown"). */
export function sessionToMarkdown(s: Session): string {
  const lines = [`# ${s.title || 'Chat'}`, ''];
  lines.push(`_${new Date(s.created_at).toISOString()}${s.model ? ` · ${s.model}` : ''}_`, '');
  for (const m of s.messages) {
    if (m.role === 'system') continue;
    const who = m.role === 'user' ? 'You' : `Assistant${m.model ? ` (${m.model})` : ''}`;
    lines.push(`## ${who}`, '');
    lines.push(m.content || '_(no text)_', '');
    if (m.status === 'error' && m.error) lines.push(`> Error: ${m.error.message}`, '');
    if (m.status === 'stopped') lines.push('> Stopped before the end.', '');
    if (m.status === 'interrupted') lines.push('> Interrupted.', '');
  }
  return lines.join('\n');
}

export function exportFileName(s: Session): string {
  const base = (s.title || 'chat').replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'chat';
  return `${base}.md`;
}
