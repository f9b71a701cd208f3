import type { JSX } from 'preact';
import { useContext, useMemo, useRef, useState } from 'preact/hooks';
import type { SessionSummary } from '../../src/shared/session';
import { ActionsContext } from './context';
import { formatWhen } from './format';
import { IconButton } from './IconButton';

interface Props {
  sessions: SessionSummary[];
  workspace?: string;
  currentId?: string;
  onOpen(id: string): void;
}

/** Sessions of this workspace first, then the rest; newest first within each. */
export function orderSessions(sessions: SessionSummary[], workspace?: string): { here: SessionSummary[]; other: SessionSummary[] } {
  const sorted = [...sessions].sort((a, b) => b.updated_at - a.updated_at);
  if (!workspace) return { here: sorted, other: [] };
  return { here: sorted.filter((s) => s.workspace === workspace), other: sorted.filter((s) => s.workspace !== workspace) };
}

function Row({ s, current, onOpen }: { s: SessionSummary; current: boolean; onOpen(id: string): void }) {
  const actions = useContext(ActionsContext);
  const [mode, setMode] = useState<'view' | 'rename' | 'confirmDelete'>('view');
  const [title, setTitle] = useState(s.title);
  if (mode === 'rename') {
    return (
      <li class="history-row editing">
        <form
          class="rename-form"
          onSubmit={(e) => {
            e.preventDefault();
            const t = title.trim();
            if (t) {
              actions.local({ type: 'local/renameSession', sessionId: s.id, title: t });
              actions.post({ type: 'renameSession', sessionId: s.id, title: t });
            }
            setMode('view');
          }}
        >
          <input aria-label="New title" value={title} maxLength={200} onInput={(e) => setTitle(e.currentTarget.value)} ref={(el) => el?.focus()} onKeyDown={(e) => e.key === 'Escape' && (e.stopPropagation(), setMode('view'))} />
          <button type="submit">Save</button>
        </form>
      </li>
    );
  }
  return (
    <li class={`history-row${current ? ' current' : ''}`}>
      <button type="button" class="history-open" data-session={s.id} onClick={() => onOpen(s.id)} aria-current={current ? 'true' : undefined}>
        <span class="history-title">{s.title || 'Untitled'}</span>
        <span class="history-meta">
          {formatWhen(s.updated_at)}
          {s.model ? ` · ${s.model}` : ''}
          {s.status === 'interrupted' ? ' · interrupted' : s.status === 'error' ? ' · failed' : ''}
        </span>
      </button>
      {mode === 'confirmDelete' ? (
        <span class="history-confirm" role="group" aria-label="Confirm delete">
          Delete?
          <button
            type="button"
            class="danger"
            onClick={() => {
              actions.local({ type: 'local/deleteSession', sessionId: s.id });
              actions.post({ type: 'deleteSession', sessionId: s.id });
            }}
          >
            Delete
          </button>
          <button type="button" onClick={() => setMode('view')}>
            Keep
          </button>
        </span>
      ) : (
        <span class="history-actions">
          <IconButton icon="edit" label={`Rename ${s.title}`} onClick={() => setMode('rename')} />
          <IconButton icon="export" label={`Export ${s.title} as Markdown`} onClick={() => actions.post({ type: 'exportSession', sessionId: s.id })} />
          <IconButton icon="trash" label={`Delete ${s.title}`} onClick={() => setMode('confirmDelete')} />
        </span>
      )}
    </li>
  );
}

export function HistoryView({ sessions, workspace, currentId, onOpen }: Props) {
  const [query, setQuery] = useState('');
  const listRef = useRef<HTMLDivElement>(null);
  const { here, other } = useMemo(() => {
    const q = query.trim().toLowerCase();
    const matching = q ? sessions.filter((s) => s.title.toLowerCase().includes(q) || (s.model ?? '').toLowerCase().includes(q)) : sessions;
    return orderSessions(matching, workspace);
  }, [sessions, workspace, query]);

  // Arrow keys move between sessions (from the search box too).
  const onKeyDown = (e: JSX.TargetedKeyboardEvent<HTMLElement>) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    const items = Array.from(listRef.current?.querySelectorAll<HTMLButtonElement>('.history-open') ?? []);
    if (items.length === 0) return;
    e.preventDefault();
    const at = items.indexOf(document.activeElement as HTMLButtonElement);
    const next = e.key === 'ArrowDown' ? (at < 0 ? 0 : Math.min(items.length - 1, at + 1)) : at <= 0 ? 0 : at - 1;
    items[next]!.focus();
  };

  const section = (label: string, list: SessionSummary[]) =>
    list.length > 0 && (
      <section class="history-section" aria-label={label}>
        {workspace && <h3>{label}</h3>}
        <ul class="history-list">
          {list.map((s) => (
            <Row key={s.id} s={s} current={s.id === currentId} onOpen={onOpen} />
          ))}
        </ul>
      </section>
    );

  return (
    <div class="history" onKeyDown={onKeyDown}>
      <input class="history-search" type="search" aria-label="Search chats" placeholder="Search chats" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
      <div ref={listRef}>
        {section('This workspace', here)}
        {section('Other chats', other)}
        {here.length + other.length === 0 && <p class="history-empty">{query ? 'No chat matches.' : 'No chats yet.'}</p>}
      </div>
    </div>
  );
}
