import assert from 'node:assert/strict';
import { cleanup, fireEvent } from '@testing-library/preact';
import { done, message, mountApp, session, snapshot, startTurn, tokens, usage } from './helpers';

describe('empty and error states', () => {
  afterEach(cleanup);

  it('Ollama not reachable: the URL tried, how to start it, Retry and Open settings', () => {
    const m = mountApp(snapshot({ connection: { status: 'unreachable', url: 'http://127.0.0.1:11434', error: 'connect ECONNREFUSED', server: 'Ollama', startHint: 'start it with `ollama serve`' } }));
    const banner = m.getByRole('alert');
    assert.match(banner.textContent ?? '', /^\s*Ollama is not reachable/);
    assert.match(banner.textContent ?? '', /not reachable/);
    assert.match(banner.textContent ?? '', /http:\/\/127\.0\.0\.1:11434/);
    assert.match(banner.textContent ?? '', /ECONNREFUSED/);
    assert.match(banner.textContent ?? '', /ollama serve/);
    fireEvent.click(m.getByLabelText('Retry connection'));
    fireEvent.click(m.getByLabelText('Open settings'));
    assert.equal(m.host.ofType('retryConnection').length, 1);
    assert.equal(m.host.ofType('openSettings').length, 1);
    m.send({ type: 'connection', connection: { status: 'ok', url: 'http://127.0.0.1:11434' } });
    assert.equal(m.queryByText(/not reachable/), null);
  });

  it('no models installed: explains ollama pull and offers Pull when the host can', () => {
    const m = mountApp(snapshot({ models: [], selectedModel: undefined }));
    assert.ok(m.getByText('No models installed'));
    assert.match(m.container.textContent ?? '', /ollama pull/);
    fireEvent.input(m.getByLabelText('Model to pull'), { target: { value: 'tiny:1b' } });
    fireEvent.click(m.getByLabelText('Pull model'));
    assert.deepEqual(m.host.ofType('pullModel'), [{ type: 'pullModel', model: 'tiny:1b' }]);
  });

  it('no Pull offered when the host cannot pull', () => {
    const m = mountApp(snapshot({ models: [], selectedModel: undefined, capabilities: { editor: false, pull: false } }));
    assert.ok(m.getByText('No models installed'));
    assert.equal(m.queryByLabelText('Pull model'), null);
  });

  it('pull progress with cancel, then done', () => {
    const m = mountApp(snapshot({ models: [] }));
    m.send({ type: 'pullProgress', model: 'tiny:1b', progress: { status: 'pulling abc', total: 1000, completed: 250 } });
    assert.match(m.container.querySelector('.pull')?.textContent ?? '', /Pulling tiny:1b: pulling abc 25%/);
    fireEvent.click(m.getByLabelText('Cancel pull'));
    assert.equal(m.host.ofType('cancelPull').length, 1);
    m.send({ type: 'pullDone', model: 'tiny:1b', error: 'cancelled' });
    assert.match(m.container.querySelector('.pull-error')?.textContent ?? '', /Pulling tiny:1b failed: cancelled/);
  });

  it('model missing: the failed reply offers to pull it', () => {
    const m = mountApp();
    const ids = startTurn(m);
    m.send(m.event(ids.sessionId, ids.replyId, { type: 'error', code: 'model_not_found', message: 'model "testmodel:1b" not found, try pulling it first', retryable: false }));
    done(m, ids, 'error');
    assert.match(m.getByRole('alert').textContent ?? '', /not found/);
    fireEvent.click(m.getByLabelText('Pull testmodel:1b'));
    assert.deepEqual(m.host.ofType('pullModel'), [{ type: 'pullModel', model: 'testmodel:1b' }]);
  });

  it('a failed reply keeps its partial text with the error beside it', () => {
    const m = mountApp();
    const ids = startTurn(m);
    tokens(m, ids, 'The first half of');
    m.send(m.event(ids.sessionId, ids.replyId, { type: 'error', code: 'upstream_error', message: 'llama runner process has terminated', retryable: false }));
    done(m, ids, 'error');
    const reply = m.container.querySelector('.message-assistant')!;
    assert.match(reply.querySelector('.md')?.textContent ?? '', /The first half of/);
    assert.match(reply.querySelector('.reply-error')?.textContent ?? '', /llama runner process has terminated/);
    assert.equal(m.store.getState().current!.messages[1]!.status, 'error');
  });

  it('unreachable during a turn: the error offers Retry, which asks the question again', () => {
    const m = mountApp();
    const ids = startTurn(m);
    m.send(m.event(ids.sessionId, ids.replyId, { type: 'error', code: 'unreachable', message: 'Could not reach Ollama', retryable: true }));
    done(m, ids, 'error');
    fireEvent.click(m.container.querySelector('.reply-error button')!);
    assert.equal(m.host.ofType('regenerate').length, 1);
  });

  it('interrupted replies from history are marked', () => {
    const s = session([message('user', 'q'), message('assistant', 'partial', { status: 'interrupted' })]);
    const m = mountApp(snapshot({ current: s }));
    assert.match(m.container.querySelector('.reply-interrupted')?.textContent ?? '', /Interrupted/);
    assert.match(m.container.querySelector('.message-assistant .md')?.textContent ?? '', /partial/);
  });

  it('an interrupted reply that recovery also gave an error shows the interrupted marker, not an error box', () => {
    const s = session([
      message('user', 'q'),
      message('assistant', 'partial', { status: 'interrupted', error: { code: 'interrupted', message: 'The window closed before the reply finished.' } }),
    ]);
    const m = mountApp(snapshot({ current: s }));
    assert.ok(m.container.querySelector('.reply-interrupted'));
    assert.equal(m.container.querySelector('.reply-error'), null);
  });

  it('warns visibly when older messages were left out to fit the context window', () => {
    const s = session([message('user', 'q'), message('assistant', 'a', { usage: usage({ truncated: true, dropped_messages: 6 }), model: 'm:1b' })]);
    const m = mountApp(snapshot({ current: s }));
    const warning = m.container.querySelector('.reply-warning');
    assert.ok(warning);
    assert.match(warning.textContent ?? '', /older messages were left out to fit the context window/i);
    assert.match(warning.textContent ?? '', /6 left out/);
  });

  it('notices from the host are shown and can be dismissed', () => {
    const m = mountApp();
    m.send({ type: 'notice', level: 'warning', message: 'Something to know' });
    assert.ok(m.getByText('Something to know'));
    fireEvent.click(m.getByLabelText('Dismiss'));
    m.frame();
    assert.equal(m.queryByText('Something to know'), null);
  });

  it('says "Connecting…" until the first snapshot, and Send still takes a question (it waits for the host)', () => {
    const m = mountApp(null);
    assert.ok(m.getAllByText('Connecting…').length > 0);
    assert.equal((m.getByLabelText('Send') as HTMLButtonElement).disabled, true, 'nothing typed yet');
    fireEvent.input(m.getByLabelText('Message'), { target: { value: 'early' } });
    assert.equal((m.getByLabelText('Send') as HTMLButtonElement).disabled, false);
  });
});
