import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'preact/hooks';
import { checkFit, contextWindowFor, cutToFit } from '../../src/shared/fit';
import type { ContextCandidate, ReplyOf, WebviewToHost } from '../../src/shared/protocol';
import type { Attachment } from '../../src/shared/session';
import type { Host, UiState } from '../host/types';
import type { LocalAction } from '../state/reducer';
import type { Store } from '../state/store';
import type { AppState } from '../state/types';
import { Composer, type Mentions } from './Composer';
import { ConnectionBanner } from './ConnectionBanner';
import { ContextBar, FitWarning } from './ContextBar';
import { ActionsContext, LiveMessagesContext, type AppActions, type LiveMessages } from './context';
import { HistoryView } from './HistoryView';
import { IconButton } from './IconButton';
import { readLocalFiles } from './localFiles';
import { MessageList } from './MessageList';
import { ModelPicker } from './ModelPicker';
import { Notices } from './Notices';
import { NoModels, PullProgressView } from './PullPanel';

/** The attachments a cut version would change (each with its cut note), or undefined when even cut it cannot fit. */
function cutPreview(input: Parameters<typeof cutToFit>[0]): Attachment[] | undefined {
  const r = cutToFit(input);
  return r.report.fits ? r.cut.map((i) => r.attachments[i]!) : undefined;
}

/**
 * The store's state, re-rendering on every change but streamed text: a text paint
 * re-renders only the streaming message (MessageView subscribes to it). Read fresh on
 * every render, so a render for any other reason (typing) shows the text as it is now.
 */
function useStoreState(store: Store): AppState {
  const [, bump] = useReducer((n: number) => n + 1, 0);
  useEffect(() => {
    const update = () => bump(0);
    const off = store.subscribe(update, 'structure');
    update();
    return off;
  }, [store]);
  return store.getState();
}

/** Why Send is disabled, said in words. Before the first snapshot it is not: a question sent then waits for it. */
function blockedReason(s: AppState): string | undefined {
  if (!s.ready) return undefined;
  if (s.connection.status === 'unreachable') return undefined; // the banner explains it; sending shows the error too
  if (!s.selectedModel) return s.models.length ? 'Choose a model above to start.' : undefined;
  return undefined;
}

export function App({ host, store }: { host: Host; store: Store }) {
  const state = useStoreState(store);
  const initialUi = useMemo<UiState>(() => host.getUiState(), [host]);
  const [view, setView] = useState<'chat' | 'history'>(initialUi.view ?? 'chat');
  /** The history was opened just now by the user or a command (its search field takes the focus), not restored. */
  const [historyAsked, setHistoryAsked] = useState(false);
  const showHistory = () => {
    setHistoryAsked(true);
    setView('history');
  };
  const [draft, setDraft] = useState(initialUi.draft ?? '');
  const [editing, setEditing] = useState(false);
  const lastPrefill = useRef(0);
  // Chips kept with the draft across a reload of the view.
  useMemo(() => {
    if (initialUi.attachments?.length) store.dispatchLocal({ type: 'local/setAttachments', attachments: initialUi.attachments });
  }, [store, initialUi]);

  useEffect(() => host.onMessage((m) => store.dispatchHost(m)), [host, store]);
  useEffect(() => host.post({ type: 'ready' }), [host]);
  const chips = state.attachments;
  useEffect(() => host.setUiState({ draft, view, ...(chips.length ? { attachments: chips } : {}) }), [host, draft, view, chips]);

  // The host may ask for focus with text (e.g. "ask about selection").
  useEffect(() => {
    if (state.focus.seq !== lastPrefill.current) {
      lastPrefill.current = state.focus.seq;
      // Fills an empty box only: what the user is typing is never replaced.
      const prefill = state.focus.prefill;
      if (prefill !== undefined) setDraft((d) => (d.trim() === '' ? prefill : d));
      setView('chat');
    }
  }, [state.focus]);

  useEffect(() => {
    if (state.historySeq > 0) showHistory();
  }, [state.historySeq]);

  const notice = useCallback((level: 'info' | 'warning' | 'error', message: string) => store.dispatchLocal({ type: 'local/notice', level, message }), [store]);
  /** A request that got no reply at all (RequestFailed): its sentence, as a notice. */
  const unanswered = useCallback((e: unknown) => notice('error', e instanceof Error ? e.message : String(e)), [notice]);

  const actions = useMemo<AppActions>(
    () => ({
      post: (m: WebviewToHost) => host.post(m),
      apply: (messageId: string, code: string) =>
        host.request({ type: 'applyCode', messageId, code }).then((r) => {
          // The mark itself arrives as applyState (it is the reply's state, shown on every reload).
          if (r.kind === 'error') notice('error', r.message);
          else if (r.outcome.status === 'failed') notice('warning', r.outcome.message);
        }, unanswered),
      local: (a: LocalAction) => store.dispatchLocal(a),
      editor: state.capabilities.editor,
    }),
    [host, store, notice, unanswered, state.capabilities.editor],
  );

  // --- context: chips, the current file, the fit against the window ---
  const ctx = state.context;
  const current = ctx.currentFile;
  // The current file the setting adds, unless removed for this question (✕) or already a chip.
  const [dismissedAuto, setDismissedAuto] = useState<string | undefined>(undefined);
  const coveredByChip = !!current && chips.some((a) => a.uri === current.uri && !a.range && a.kind === current.candidate.kind);
  const auto = ctx.includeCurrentFile && current?.attachment && dismissedAuto !== current.uri && !coveredByChip ? current.attachment : undefined;
  const outgoing = auto ? [auto, ...chips] : chips;
  const modelInfo = state.models.find((m) => m.name === state.selectedModel);
  const ctxWindow = contextWindowFor(ctx.contextLength, modelInfo);
  const fitInput = { content: draft.trim(), attachments: outgoing, window: ctxWindow.tokens, reserved: ctx.reservedTokens };
  const report = checkFit(fitInput);
  // The warning: opened by a send that does not fit (here, or refused by the host after reading the files again).
  const [fitOpen, setFitOpen] = useState<{ host?: { report: { window: number; budget: number; used: number }; chips: Attachment[] } } | undefined>(undefined);
  const fitShown = fitOpen && (fitOpen.host ? fitOpen.host.chips === chips : !report.fits && outgoing.length > 0) ? fitOpen : undefined;
  // Worked out only while the warning shows: cutting large files is not free.
  const cuts = fitShown ? cutPreview(fitInput) : undefined;

  // The `@` picker: the answer to the latest search only (undefined while it is being searched).
  const searchSeq = useRef(0);
  const [candidates, setCandidates] = useState<ContextCandidate[] | undefined>(undefined);
  const add = useCallback(
    (id: string) =>
      host.request({ type: 'contextAdd', id }).then((r) => {
        if (r.kind === 'added') store.dispatchLocal({ type: 'local/addAttachments', attachments: r.attachments });
        else notice(r.kind === 'refused' ? 'warning' : 'error', r.kind === 'refused' ? r.reason : r.message);
      }, unanswered),
    [host, store, notice, unanswered],
  );
  // VS Code offers workspace files and every kind; a browser tab only the words its host lists (`@codebase`).
  const words = ctx.workspace ? undefined : ctx.mentions?.length ? ctx.mentions : undefined;
  const mentions = useMemo<Mentions | undefined>(
    () =>
      ctx.workspace || words
        ? {
            ...(words ? { words } : {}),
            items: candidates,
            search: (query) => {
              const seq = ++searchSeq.current;
              setCandidates(undefined);
              const answer = (items: ContextCandidate[]) => seq === searchSeq.current && setCandidates(items);
              host.request({ type: 'contextSearch', query }).then(
                (r) => answer(r.kind === 'candidates' ? r.items : []),
                () => answer([]),
              );
            },
            pick: (item) => void add(item.id),
          }
        : undefined,
    [ctx.workspace, words, candidates, host, add],
  );
  const openAttachment = state.capabilities.editor
    ? (a: Attachment) => a.uri && host.post({ type: 'openAttachment', uri: a.uri, ...(a.range ? { range: a.range } : {}) })
    : undefined;
  const attachFiles = async (files: File[]) => {
    const r = await readLocalFiles(files, ctx.maxFileKB);
    if (r.attachments.length) store.dispatchLocal({ type: 'local/addAttachments', attachments: r.attachments });
    for (const e of r.errors) store.dispatchLocal({ type: 'local/notice', level: 'warning', message: e });
  };

  const live = useMemo<LiveMessages>(
    () => ({
      get: (id) => store.getState().current?.messages.findLast((m) => m.id === id),
      subscribe: (listener) => store.subscribe(listener),
    }),
    [store],
  );

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

  // Sent before the first snapshot: it waits for it, and the composer says so.
  const [waitingForReady, setWaitingForReady] = useState(false);
  /** What the host said about a send: accepted (the turn is already shown), or why not — the text and chips come back. */
  const settleSend = (r: ReplyOf<'send'> | undefined, failure: unknown, sent: { text: string; chips: Attachment[]; outgoing: Attachment[]; editing: boolean }) => {
    setWaitingForReady(false);
    if (r?.kind === 'accepted') return;
    setDraft((d) => (d.trim() === '' ? sent.text : d));
    if (sent.editing) setEditing(true);
    if (r?.kind === 'doesNotFit') {
      // The chips as the host read them just now (only sent back when reading them again changed one; else the ones sent), with the figures: the warning offers a cut version.
      store.dispatchLocal({ type: 'local/setAttachments', attachments: r.attachments ?? sent.outgoing });
      setFitOpen({ host: { report: r.report, chips: store.getState().attachments } });
      return;
    }
    if (sent.chips.length && store.getState().attachments.length === 0) store.dispatchLocal({ type: 'local/setAttachments', attachments: sent.chips });
    if (r?.kind === 'refused') notice('warning', r.reason);
    else if (r?.kind === 'error') notice('error', r.message);
    else unanswered(failure);
  };

  const send = (text: string, cut = false) => {
    const content = text.trim();
    if (!content) return;
    // Fit, never silent: a question that does not fit is not sent until the user chooses.
    if (outgoing.length && !cut && !checkFit({ ...fitInput, content }).fits) {
      setFitOpen({});
      return;
    }
    setFitOpen(undefined);
    const parts = outgoing.length ? { attachments: outgoing, ...(cut ? { cutToFit: true as const } : {}) } : {};
    // The store's state, not the last painted one: New chat (or a model switch) right before
    // Enter, within one frame, must not send into the old session.
    const latest = store.getState();
    let reply: Promise<ReplyOf<'send'>>;
    if (editing) {
      store.dispatchLocal({ type: 'local/editLast' });
      reply = host.request({ type: 'editLast', content, ...parts });
      setEditing(false);
    } else {
      reply = host.request({
        type: 'send',
        content,
        ...parts,
        ...(latest.selectedModel ? { model: latest.selectedModel } : {}),
        ...(latest.current ? { sessionId: latest.current.id } : {}),
      });
    }
    setWaitingForReady(!latest.ready);
    const sent = { text, chips, outgoing, editing };
    reply.then(
      (r) => settleSend(r, undefined, sent),
      (e: unknown) => settleSend(undefined, e, sent),
    );
    setDraft('');
    setDismissedAuto(undefined);
    if (chips.length) store.dispatchLocal({ type: 'local/setAttachments', attachments: [] });
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
  // VS Code has New Chat and Show History in the view's title bar: the panel does not repeat them.
  // Only once the host has said so (the snapshot), and a browser tab always keeps them.
  const panelActions = state.ready && !state.capabilities.titleActions;
  const connected = state.connection.status !== 'unreachable';
  const noModels = state.ready && state.connection.status === 'ok' && state.models.length === 0;

  return (
    <ActionsContext.Provider value={actions}>
      <LiveMessagesContext.Provider value={live}>
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
            {panelActions && (
              <>
                <IconButton icon="add" label="New chat" onClick={newChat} />
                <IconButton
                  icon={view === 'history' ? 'comment-discussion' : 'history'}
                  label={view === 'history' ? 'Back to chat' : 'Show history'}
                  onClick={() => (view === 'history' ? setView('chat') : showHistory())}
                />
              </>
            )}
          </header>
          <Notices notices={state.notices} />
          <ConnectionBanner connection={state.connection} />
          {state.pull && <PullProgressView pull={state.pull} />}
          <main class="content">
            {view === 'history' ? (
              <HistoryView
                sessions={state.sessions}
                workspace={state.workspace}
                currentId={state.current?.id}
                onOpen={openSession}
                autoFocus={historyAsked}
                {...(panelActions ? {} : { onBack: () => setView('chat') })}
              />
            ) : messages.length > 0 ? (
              <MessageList
                messages={messages}
                streaming={state.streaming?.sessionId === state.current?.id ? state.streaming : undefined}
                busy={busy}
                canPull={state.capabilities.pull}
                onEdit={(content, attachments) => {
                  setDraft(content);
                  // Edit-and-resend sends the question's attachments again, as chips the user can remove.
                  store.dispatchLocal({ type: 'local/setAttachments', attachments: attachments ?? [] });
                  setEditing(true);
                }}
              />
            ) : noModels ? (
              <NoModels canPull={state.capabilities.pull} {...(state.connection.server ? { server: state.connection.server } : {})} />
            ) : (
              connected && (
                <div class="empty-state welcome">
                  <h2>Ask anything</h2>
                  <p>{state.ready ? `Answers come from ${state.connection.server ?? 'your model server'}.` : 'Connecting…'}</p>
                </div>
              )
            )}
          </main>
          {view === 'chat' && (
            <Composer
              draft={draft}
              onDraft={setDraft}
              busy={busy}
              blocked={waitingForReady && !state.ready ? 'Your question goes as soon as Hearth is ready…' : blockedReason(state)}
              editing={editing}
              onSend={send}
              onStop={stop}
              onCancelEdit={() => {
                setEditing(false);
                setDraft('');
                store.dispatchLocal({ type: 'local/setAttachments', attachments: [] });
              }}
              focusSeq={state.focus.seq}
              {...(mentions ? { mentions } : {})}
              {...(!ctx.workspace ? { onAttachFiles: (files: File[]) => void attachFiles(files) } : {})}
            >
              {ctx.indexing && (
                <div class="context-indexing" role="status">
                  <span class="codicon codicon-sync" aria-hidden="true" /> {ctx.indexing} (for @codebase)
                </div>
              )}
              <ContextBar
                attachments={chips}
                {...(auto ? { auto } : {})}
                {...(current && !ctx.includeCurrentFile && !coveredByChip
                  ? { offer: { label: current.candidate.label, ...(current.problem ? { problem: current.problem } : {}), onAdd: () => void add(current.candidate.id) } }
                  : {})}
                report={report}
                windowKnown={ctxWindow.known}
                onRemove={(index) => store.dispatchLocal({ type: 'local/removeAttachment', index })}
                onDismissAuto={() => current && setDismissedAuto(current.uri)}
                {...(openAttachment ? { onOpen: openAttachment } : {})}
              />
              {fitShown && (
                <FitWarning
                  report={fitShown.host?.report ?? report}
                  {...(cuts ? { cuts } : {})}
                  onSendCut={() => send(draft, true)}
                  onCancel={() => setFitOpen(undefined)}
                />
              )}
            </Composer>
          )}
        </div>
      </LiveMessagesContext.Provider>
    </ActionsContext.Provider>
  );
}
