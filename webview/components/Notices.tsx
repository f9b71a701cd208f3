import { useContext } from 'preact/hooks';
import type { Notice } from '../state/types';
import { ActionsContext } from './context';
import { IconButton } from './IconButton';
import { InlineCode } from './InlineCode';

export function Notices({ notices }: { notices: Notice[] }) {
  const actions = useContext(ActionsContext);
  if (notices.length === 0) return null;
  return (
    <div class="notices">
      {notices.map((n) => (
        <div key={n.id} class={`notice notice-${n.level}`} role={n.level === 'error' ? 'alert' : 'status'}>
          <span class={`codicon codicon-${n.level === 'info' ? 'info' : n.level}`} aria-hidden="true" />
          <span class="notice-text">
            <InlineCode text={n.message} />
          </span>
          <IconButton icon="close" label="Dismiss" onClick={() => actions.local({ type: 'local/dismissNotice', id: n.id })} />
        </div>
      ))}
    </div>
  );
}
