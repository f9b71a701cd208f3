import type { JSX } from 'preact';
import { useContext, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { showBidiControls } from '../../src/shared/bidi';
import type { SessionSummary } from '../../src/shared/session';
import { ActionsContext } from './context';
import { formatWhen } from './format';
import { IconButton } from './IconButton';

interface Props {
  sessions: SessionSummary[];
  workspace?: string;
  currentId?: string;
  onOpen(id: string): void;
  /** Shown when the host has no title bar button for it (VS Code has one; see capabilities.titleActions). */
  onBack?: () => void;
  /** Put the caret in the search field (the user opened the history just now; not on a restore). */
  autoFocus?: boolean;
}

/** Sessions of this workspace first, then the rest; newest first within each. */
export function orderSessions(sessions: SessionSummary[], workspace?: string): { here: SessionSummary[]; other: SessionSummary[] } {
  const sorted = [...sessions].sort((a, b) => b.updated_at - a.updated_at);
  if (!workspace) return { here: sorted, other: [] };
  return { here: sorted.filter((s) => s.workspace === workspace), other: sorted.filter((s) => s.workspace !== workspace) };
}

type RowMode = 'view' | 'rename' | 'confirmDelete';

interface RowProps {
  s: SessionSummary;
  current: boolean;
  onOpen(id: string): void;
  /** The row is about to go away: the list moves the focus to a neighbour. */
  onDeleting(id: string): void;
}

function Row({ s, current, onOpen, onDeleting }: RowProps) {
  const actions = useContext(ActionsContext);
  const [mode, setMode] = useState<RowMode>('view');
  const [title, setTitle] = useState(s.title);
  const openRef = useRef<HTMLButtonElement>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const renameRef = useRef<HTMLInputElement>(null);
  const keyboard = useRef(false);

  // Keyboard users land on what they asked for: the confirm button, the title field, or back on the row.
  useEffect(() => {
    if (mode === 'confirmDelete') confirmRef.current?.focus();
    else if (mode === 'rename') renameRef.current?.focus();
    else if (keyboard.current) openRef.current?.focus();
    keyboard.current = false;
  }, [mode]);

  const to = (next: RowMode, byKeyboard = false) => {
    keyboard.current = byKeyboard;
    setMode(next);
  };
  const remove = () => {
    onDeleting(s.id);
    actions.local({ type: 'local/deleteSession', sessionId: s.id });
    actions.post({ type: 'deleteSession', sessionId: s.id });
  };

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
            to('view', true);
          }}
        >
          <input
            ref={renameRef}
            aria-label="New title"
            value={title}
            maxLength={200}
            onInput={(e) => setTitle(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key !== 'Escape') return;
              e.stopPropagation();
              to('view', true);
            }}
          />
          <button type="submit">Save</button>
        </form>
      </li>
    );
  }
  return (
    <li class={`history-row${current ? ' current' : ''}`}>
      <button
        ref={openRef}
        type="button"
        class="history-open"
        data-session={s.id}
        onClick={() => onOpen(s.id)}
        onKeyDown={(e) => {
          if (e.key === 'Delete' || e.key === 'Backspace') {
            e.preventDefault();
            to('confirmDelete', true);
          } else if (e.key === 'F2') {
            e.preventDefault();
            to('rename', true);
          }
        }}
        aria-current={current ? 'true' : undefined}
        aria-keyshortcuts="Delete F2"
      >
        <bdi class="history-title">{showBidiControls(s.title) || 'Untitled'}</bdi>
        <span class="history-meta">
          {formatWhen(s.updated_at)}
          {s.model ? ` · ${s.model}` : ''}
          {s.status === 'interrupted' ? ' · interrupted' : s.status === 'error' ? ' · failed' : ''}
        </span>
      </button>
      {mode === 'confirmDelete' ? (
        <span
          class="history-confirm"
          role="group"
          aria-label={`Delete ${showBidiControls(s.title)}?`}
          onKeyDown={(e) => {
            if (e.key !== 'Escape') return;
            e.stopPropagation(); // Escape here keeps the chat; it does not leave the history
            to('view', true);
          }}
        >
          Delete?
          <button ref={confirmRef} type="button" class="danger" onClick={remove}>
            Delete
          </button>
          <button type="button" onClick={(e) => to('view', e.detail === 0)}>
            Keep
          </button>
        </span>
      ) : (
        <span class="history-actions">
          <IconButton icon="edit" label={`Rename ${showBidiControls(s.title)}`} onClick={() => to('rename')} />
          <IconButton icon="export" label={`Export ${showBidiControls(s.title)} as Markdown`} onClick={() => actions.post({ type: 'exportSession', sessionId: s.id })} />
          <IconButton icon="trash" label={`Delete ${showBidiControls(s.title)}`} onClick={() => to('confirmDelete')} />
        </span>
      )}
    </li>
  );
}

/**
 * The list of past chats: a one-line search field on top, the list below it in
 * its own scroll area (this workspace first, then the others). Keyboard: arrows
 * and Home/End move, Enter opens, Delete asks then deletes, F2 renames; Enter in
 * the search field opens the first match.
 */
export function HistoryView({ sessions, workspace, currentId, onOpen, onBack, autoFocus }: Props) {
  const [query, setQuery] = useState('');
  const listRef = useRef<HTMLDivElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  /** Where the focus goes once a deleted row is gone: its position in the list. */
  const refocusAt = useRef<number | undefined>(undefined);
  const { here, other } = useMemo(() => {
    const q = query.trim().toLowerCase();
    const matching = q ? sessions.filter((s) => s.title.toLowerCase().includes(q) || (s.model ?? '').toLowerCase().includes(q)) : sessions;
    return orderSessions(matching, workspace);
  }, [sessions, workspace, query]);
  const visible = [...here, ...other];

  useEffect(() => {
    if (autoFocus) searchRef.current?.focus();
  }, [autoFocus]);

  const rows = () => Array.from(listRef.current?.querySelectorAll<HTMLButtonElement>('.history-open') ?? []);

  useLayoutEffect(() => {
    const at = refocusAt.current;
    if (at === undefined) return;
    refocusAt.current = undefined;
    const items = rows();
    (items[Math.min(at, items.length - 1)] ?? searchRef.current)?.focus();
  }, [sessions]);

  const onKeyDown = (e: JSX.TargetedKeyboardEvent<HTMLElement>) => {
    // Arrows inside the rename field move its caret, not the list.
    if (e.target instanceof HTMLInputElement && e.target !== searchRef.current) return;
    const items = rows();
    if (items.length === 0) return;
    const at = items.indexOf(document.activeElement as HTMLButtonElement);
    let next: number | undefined;
    if (e.key === 'ArrowDown') next = at < 0 ? 0 : Math.min(items.length - 1, at + 1);
    else if (e.key === 'ArrowUp') next = at <= 0 ? 0 : at - 1;
    else if ((e.key === 'Home' || e.key === 'End') && at >= 0) next = e.key === 'Home' ? 0 : items.length - 1;
    if (next === undefined) return;
    e.preventDefault();
    items[next]!.focus();
  };

  const section = (label: string, list: SessionSummary[]) =>
    list.length > 0 && (
      <section class="history-section" aria-label={label}>
        {workspace && <h3>{label}</h3>}
        <ul class="history-list">
          {list.map((s) => (
            <Row key={s.id} s={s} current={s.id === currentId} onOpen={onOpen} onDeleting={(id) => (refocusAt.current = visible.findIndex((v) => v.id === id))} />
          ))}
        </ul>
      </section>
    );

  return (
    <div class="history" onKeyDown={onKeyDown}>
      <div class="history-header">
        {onBack && <IconButton icon="arrow-left" label="Back to chat" onClick={onBack} />}
        <input
          ref={searchRef}
          class="history-search"
          type="search"
          aria-label="Search chats"
          placeholder="Search chats"
          value={query}
          onInput={(e) => setQuery(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && visible[0]) {
              e.preventDefault();
              onOpen(visible[0].id);
            }
          }}
        />
      </div>
      <div class="history-body" ref={listRef}>
        {section('This workspace', here)}
        {section('Other chats', other)}
        {visible.length === 0 &&
          (query.trim() ? (
            <div class="empty-state history-empty">
              <p>No chat matches “{query.trim()}”.</p>
              <IconButton icon="close" label="Clear search" text="Clear search" onClick={() => (setQuery(''), searchRef.current?.focus())} />
            </div>
          ) : (
            <div class="empty-state history-empty">
              <span class="codicon codicon-history" aria-hidden="true" />
              <h2>No chats yet</h2>
              <p>Every question you ask is saved here, with its answer, and can be reopened later.</p>
            </div>
          ))}
      </div>
    </div>
  );
}
