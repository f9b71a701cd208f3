import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { WebviewToHost } from '../../src/shared/protocol';
import type { Host, UiState } from '../host/types';
import type { LocalAction } from '../state/reducer';
import type { Store } from '../state/store';
import type { AppState } from '../state/types';
import { Composer } from './Composer';
import { ConnectionBanner } from './ConnectionBanner';
import { ActionsContext, type AppActions } from './context';
import { HistoryView } from './HistoryView';
import { IconButton } from './IconButton';
import { MessageList } from './MessageList';
import { ModelPicker } from './ModelPicker';
import { Notices } from './Notices';
import { NoModels, PullProgressView } from './PullPanel';

function useStoreState(store: Store): AppState {
  const [state, setState] = useState(store.getState());
  useEffect(() => {
    const update = () => setState(store.getState());
    const off = store.subscribe(update);
    update();
    return off;
  }, [store]);
  return state;
}

/** Why Send is disabled, said in words. */
function blockedReason(s: AppState): string | undefined {
  if (!s.ready) return 'Connecting…';
  if (s.connection.status === 'unreachable') return undefined; // the banner explains it; sending shows the error too
  if (!s.selectedModel) return s.models.length ? 'Choose a model above to start.' : undefined;
  return undefined;
}

export function App({ host, store }: { host: Host; store: Store }) {
  const state = useStoreState(store);
  const initialUi = useMemo<UiState>(() => host.getUiState(), [host]);
  const [view, setView] = useState<'chat' | 'history'>(initialUi.view ?? 'chat');
  const [draft, setDraft] = useState(initialUi.draft ?? '');
  const [editing, setEditing] = useState(false);
  const lastPrefill = useRef(0);

  useEffect(() => host.onMessage((m) => store.dispatchHost(m)), [host, store]);
  useEffect(() => host.post({ type: 'ready' }), [host]);
  useEffect(() => host.setUiState({ draft, view }), [host, draft, view]);

  // The host may ask for focus with text (e.g. "ask about selection").
  useEffect(() => {
    if (state.focus.seq !== lastPrefill.current) {
      lastPrefill.current = state.focus.seq;
      if (state.focus.prefill !== undefined) setDraft(state.focus.prefill);
      setView('chat');
    }
  }, [state.focus]);

  useEffect(() => {
    if (state.historySeq > 0) setView('history');
  }, [state.historySeq]);

  const actions = useMemo<AppActions>(
    () => ({
      post: (m: WebviewToHost) => host.post(m),
      local: (a: LocalAction) => store.dispatchLocal(a),
      editor: state.capabilities.editor,
    }),
    [host, store, state.capabilities.editor],
  );

  // The text last sent, until its turn starts: a refused send (a notice instead of a turn) gives it back.
  const pendingSend = useRef<{ text: string; afterNotice: number } | undefined>(undefined);
  useEffect(() => {
    const p = pendingSend.current;
    if (!p) return;
    if (state.streaming) pendingSend.current = undefined;
    else if ((state.notices.at(-1)?.id ?? 0) > p.afterNotice) {
      pendingSend.current = undefined;
      setDraft((d) => (d.trim() === '' ? p.text : d));
    }
  }, [state.streaming, state.notices]);

  const busy = !!state.streaming;
  const stop = useCallback(() => {
    store.flushNow();
    host.post({ type: 'cancel' });
  }, [host, store]);

  // Streamed text is painted a few times a second; when the user scrolls, clicks or
  // types, whatever is buffered is painted at once, so what they act on is current.
  useEffect(() => {
    const flush = () => store.flushNow();
    const events = ['wheel', 'touchmove', 'pointerdown', 'keydown', 'input'] as const;
    for (const e of events) document.addEventListener(e, flush, { capture: true, passive: true });
    return () => {
      for (const e of events) document.removeEventListener(e, flush, { capture: true });
    };
  }, [store]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      if (store.getState().streaming) {
        e.preventDefault();
        stop();
      } else if (view === 'history') {
        setView('chat');
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [stop, store, view]);

  const send = (text: string) => {
    const content = text.trim();
    if (!content) return;
    // The store's state, not the last painted one: New chat (or a model switch) right before
    // Enter, within one frame, must not send into the old session.
    const latest = store.getState();
    if (editing) {
      store.dispatchLocal({ type: 'local/editLast' });
      host.post({ type: 'editLast', content });
      setEditing(false);
    } else {
      const msg: WebviewToHost = { type: 'send', content };
      if (latest.selectedModel) msg.model = latest.selectedModel;
      if (latest.current) msg.sessionId = latest.current.id;
      host.post(msg);
    }
    pendingSend.current = { text, afterNotice: latest.notices.at(-1)?.id ?? 0 };
    setDraft('');
  };

  const newChat = () => {
    store.dispatchLocal({ type: 'local/newChat' });
    host.post({ type: 'newChat' });
    setEditing(false);
    setView('chat');
  };

  const openSession = (id: string) => {
    host.post({ type: 'openSession', sessionId: id });
    setView('chat');
  };

  const messages = state.current?.messages ?? [];
  const connected = state.connection.status !== 'unreachable';
  const noModels = state.ready && state.connection.status === 'ok' && state.models.length === 0;

  return (
    <ActionsContext.Provider value={actions}>
      <div class="app">
        <header class="toolbar">
          <ModelPicker
            models={state.models}
            selected={state.selectedModel}
            onSelect={(model) => {
              store.dispatchLocal({ type: 'local/selectModel', model });
              host.post({ type: 'selectModel', model });
            }}
            onRefresh={() => host.post({ type: 'refreshModels' })}
          />
          <span class="toolbar-spacer" />
          <IconButton icon="add" label="New chat" onClick={newChat} />
          <IconButton
            icon={view === 'history' ? 'comment-discussion' : 'history'}
            label={view === 'history' ? 'Back to chat' : 'Show history'}
            onClick={() => setView(view === 'history' ? 'chat' : 'history')}
          />
        </header>
        <Notices notices={state.notices} />
        <ConnectionBanner connection={state.connection} />
        {state.pull && <PullProgressView pull={state.pull} />}
        <main class="content">
          {view === 'history' ? (
            <HistoryView sessions={state.sessions} workspace={state.workspace} currentId={state.current?.id} onOpen={openSession} />
          ) : messages.length > 0 ? (
            <MessageList
              messages={messages}
              streaming={state.streaming?.sessionId === state.current?.id ? state.streaming : undefined}
              busy={busy}
              canPull={state.capabilities.pull}
              onEdit={(content) => {
                setDraft(content);
                setEditing(true);
              }}
            />
          ) : noModels ? (
            <NoModels canPull={state.capabilities.pull} />
          ) : (
            connected && (
              <div class="empty-state welcome">
                <h2>Ask anything</h2>
                <p>{state.ready ? 'Your chat runs on your own machine through Ollama.' : 'Connecting…'}</p>
              </div>
            )
          )}
        </main>
        {view === 'chat' && (
          <Composer
            draft={draft}
            onDraft={setDraft}
            busy={busy}
            blocked={blockedReason(state)}
            editing={editing}
            onSend={send}
            onStop={stop}
            onCancelEdit={() => {
              setEditing(false);
              setDraft('');
            }}
            focusSeq={state.focus.seq}
          />
        )}
      </div>
    </ActionsContext.Provider>
  );
}
