import { useContext, useState } from 'preact/hooks';
import type { PullState } from '../state/types';
import { ActionsContext } from './context';
import { formatBytes } from './format';
import { IconButton } from './IconButton';

/** Progress of a model download, with Cancel; or its outcome. */
export function PullProgressView({ pull }: { pull: PullState }) {
  const actions = useContext(ActionsContext);
  const p = pull.progress;
  const pct = p?.total && p.completed !== undefined ? Math.min(100, Math.floor((p.completed / p.total) * 100)) : undefined;
  if (!pull.active) {
    return pull.error ? (
      <div class="pull pull-error" role="alert">
        Pulling {pull.model} failed: {pull.error}
      </div>
    ) : (
      <div class="pull pull-done" role="status">
        {pull.model} is installed.
      </div>
    );
  }
  return (
    <div class="pull" role="status">
      <div class="pull-title">
        Pulling {pull.model}: {p?.status ?? 'starting'}
        {pct !== undefined && ` ${pct}%`}
        {p?.total ? ` of ${formatBytes(p.total)}` : ''}
      </div>
      <progress max={100} value={pct} aria-label={`Pulling ${pull.model}`} />
      <IconButton icon="close" label="Cancel pull" text="Cancel" onClick={() => actions.post({ type: 'cancelPull' })} />
    </div>
  );
}

/** Connected, but nothing installed: how to get a model. */
export function NoModels({ canPull, server }: { canPull: boolean; server?: string }) {
  const actions = useContext(ActionsContext);
  const [name, setName] = useState('');
  return (
    <div class="empty-state">
      <h2>No models installed</h2>
      <p>
        {server ?? 'The model server'} is running but has no models yet.{' '}
        {canPull ? (
          <>
            Run <code>ollama pull &lt;model&gt;</code> in a terminal, or pull one here, then refresh.
          </>
        ) : (
          'Install one with its own tools, then refresh.'
        )}
      </p>
      {canPull && (
        <form
          class="pull-form"
          onSubmit={(e) => {
            e.preventDefault();
            const model = name.trim();
            if (model) actions.post({ type: 'pullModel', model });
          }}
        >
          <input aria-label="Model to pull" placeholder="model name, e.g. from ollama.com/library" value={name} onInput={(e) => setName(e.currentTarget.value)} />
          <IconButton icon="cloud-download" label="Pull model" text="Pull" onClick={() => name.trim() && actions.post({ type: 'pullModel', model: name.trim() })} />
        </form>
      )}
      <IconButton icon="refresh" label="Refresh models" text="Refresh" onClick={() => actions.post({ type: 'refreshModels' })} />
    </div>
  );
}
