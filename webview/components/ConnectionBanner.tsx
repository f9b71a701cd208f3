import { useContext } from 'preact/hooks';
import type { ConnectionState } from '../../src/shared/protocol';
import { ActionsContext } from './context';
import { IconButton } from './IconButton';

/** Ollama is not reachable: say which URL was tried and how to start it. */
export function ConnectionBanner({ connection }: { connection: ConnectionState }) {
  const actions = useContext(ActionsContext);
  if (connection.status !== 'unreachable') return null;
  return (
    <div class="banner banner-error" role="alert">
      <div class="banner-title">
        <span class="codicon codicon-debug-disconnect" aria-hidden="true" /> Ollama is not reachable
      </div>
      <p>
        Tried <code>{connection.url}</code>: {connection.error}
      </p>
      <p>
        Start it with <code>ollama serve</code> (or open the Ollama app), or point Hearth at the right URL in the settings.
      </p>
      <div class="banner-actions">
        <IconButton icon="refresh" label="Retry connection" text="Retry" onClick={() => actions.post({ type: 'retryConnection' })} />
        <IconButton icon="settings-gear" label="Open settings" text="Open settings" onClick={() => actions.post({ type: 'openSettings' })} />
      </div>
    </div>
  );
}
