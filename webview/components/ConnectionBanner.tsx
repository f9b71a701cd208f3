import { useContext } from 'preact/hooks';
import type { ConnectionState } from '../../src/shared/protocol';
import { ActionsContext } from './context';
import { IconButton } from './IconButton';
import { InlineCode } from './InlineCode';

/**
 * The model server is not reachable: which URL was tried and how to start it,
 * said once. The server's own message usually says both already, in its
 * provider's words (Ollama's "… start it with `ollama serve` …"); only what it
 * lacks is added. A failed reply then says just that it could not reach the server.
 */
export function ConnectionBanner({ connection }: { connection: ConnectionState }) {
  const actions = useContext(ActionsContext);
  if (connection.status !== 'unreachable') return null;
  const error = connection.error;
  const namesUrl = !!connection.url && error.includes(connection.url);
  const saysHow = /\bstart it\b/i.test(error);
  return (
    <div class="banner banner-error" role="alert">
      <div class="banner-title">
        <span class="codicon codicon-debug-disconnect" aria-hidden="true" /> {connection.server ?? 'The model server'} is not reachable
      </div>
      <p class="banner-detail">
        {!namesUrl && (
          <>
            Tried <code class="md-codespan">{connection.url}</code>:{' '}
          </>
        )}
        <InlineCode text={error} />
      </p>
      {!saysHow && (
        <p>
          <InlineCode text={`${connection.startHint ? capitalize(connection.startHint) : 'Start it'}, or point Hearth at the right URL in the settings.`} />
        </p>
      )}
      <div class="banner-actions">
        <IconButton icon="refresh" label="Retry connection" text="Retry" onClick={() => actions.post({ type: 'retryConnection' })} />
        <IconButton icon="settings-gear" label="Open settings" text="Open settings" onClick={() => actions.post({ type: 'openSettings' })} />
      </div>
    </div>
  );
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
