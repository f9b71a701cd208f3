/**
 * The `@` picker's list, under the control of the message box (the focus never
 * leaves it): arrows move, Enter or Tab add, Escape closes (see Composer).
 */
import { useEffect, useRef } from 'preact/hooks';
import { attachmentKind, MENTIONS } from '../../src/shared/attachmentKinds';
import { showBidiControls } from '../../src/shared/bidi';
import type { ContextCandidate } from '../../src/shared/protocol';

export const MENTION_LIST_ID = 'hearth-mention-list';
export const mentionOptionId = (i: number) => `hearth-mention-${i}`;

interface Props {
  /** Undefined while the host has not answered the latest query. */
  items: readonly ContextCandidate[] | undefined;
  active: number;
  onPick(item: ContextCandidate): void;
  onHover(index: number): void;
  /** The only `@` words this host offers (no files); absent: files and every kind. */
  words?: readonly string[];
}

export function MentionPicker({ items, active, onPick, onHover, words }: Props) {
  const hinted = words ?? MENTIONS;
  const list = useRef<HTMLUListElement>(null);
  useEffect(() => {
    list.current?.querySelector(`#${mentionOptionId(active)}`)?.scrollIntoView?.({ block: 'nearest' });
  }, [active, items]);
  return (
    <div class="mention-picker">
      {items === undefined ? (
        <div class="mention-empty">Searching…</div>
      ) : items.length === 0 ? (
        <div class="mention-empty">
          {words ? `Nothing matches: here @ offers ${words.map((w) => `@${w}`).join(', ')}.` : 'No matching files.'} Escape keeps the text as typed.
        </div>
      ) : (
        <ul class="mention-list" role="listbox" id={MENTION_LIST_ID} aria-label="Add context" ref={list}>
          {items.map((item, i) => (
            <li
              key={item.id}
              id={mentionOptionId(i)}
              role="option"
              aria-selected={i === active}
              class={`mention-option${i === active ? ' active' : ''}`}
              // mousedown, not click: the message box keeps the focus.
              onMouseDown={(e) => {
                e.preventDefault();
                onPick(item);
              }}
              onMouseEnter={() => onHover(i)}
            >
              <span class={`codicon codicon-${attachmentKind(item.kind).codicon}`} aria-hidden="true" />
              <bdi class="mention-label">{showBidiControls(item.label)}</bdi>
              {item.description && <bdi class="mention-description">{showBidiControls(item.description)}</bdi>}
            </li>
          ))}
        </ul>
      )}
      <div class="mention-hint">↑↓ to choose · Enter or Tab to add · Esc to close{hinted.map((m) => ` · @${m}`).join('')}</div>
    </div>
  );
}
