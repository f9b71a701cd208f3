import assert from 'node:assert/strict';
import { act, cleanup, fireEvent } from '@testing-library/preact';
import { done, message, model, mountApp, session, snapshot, startTurn, summary, tokens } from './helpers';

function input(m: ReturnType<typeof mountApp>): HTMLTextAreaElement {
  return m.getByLabelText('Message') as HTMLTextAreaElement;
}
function type(m: ReturnType<typeof mountApp>, text: string) {
  fireEvent.input(input(m), { target: { value: text } });
}

describe('controls', () => {
  afterEach(cleanup);

  it('posts ready on mount', () => {
    const m = mountApp(null);
    assert.deepEqual(m.host.posted[0], { type: 'ready' });
  });

  it('Enter sends the message with the selected model; the input clears', () => {
    const m = mountApp();
    type(m, '  What is 2+2?  ');
    fireEvent.keyDown(input(m), { key: 'Enter' });
    assert.deepEqual(m.host.asked('send'), [{ type: 'send', content: 'What is 2+2?', model: 'testmodel:1b' }]);
    assert.equal(input(m).value, '');
  });

  it('a send the host refuses gives the text back with its reason; a started turn does not; notices alone decide nothing', async () => {
    const m = mountApp();
    type(m, 'Please keep me');
    fireEvent.keyDown(input(m), { key: 'Enter' });
    assert.equal(input(m).value, '');
    m.send({ type: 'notice', level: 'info', message: 'unrelated' });
    assert.equal(input(m).value, '', 'a notice is not a refusal');
    await m.reply('send', { kind: 'error', message: 'Could not send: the session is busy' });
    assert.equal(input(m).value, 'Please keep me');
    assert.ok(m.getByText('Could not send: the session is busy'));

    fireEvent.keyDown(input(m), { key: 'Enter' });
    assert.equal(input(m).value, '');
    const ids = startTurn(m, 'Please keep me');
    await m.reply('send', { kind: 'accepted', sessionId: ids.sessionId, messageId: ids.replyId });
    m.send({ type: 'notice', level: 'info', message: 'unrelated' });
    assert.equal(input(m).value, '', 'once the turn started, later notices leave the input alone');
  });

  it('an Enter typed right after the panel opened (before the snapshot) is not dropped: it waits, says so, then goes', async () => {
    const m = mountApp(null);
    type(m, 'First question');
    fireEvent.keyDown(input(m), { key: 'Enter' });
    assert.equal(m.host.asked('send').length, 0, 'nothing goes before the host is ready');
    assert.ok(m.getByText('Your question goes as soon as Hearth is ready…'));
    m.send({ type: 'snapshot', state: snapshot() });
    await m.settle();
    assert.deepEqual(m.host.asked('send'), [{ type: 'send', content: 'First question' }], 'the host decides the model and session (the page knew neither)');
    assert.equal(m.queryByText('Your question goes as soon as Hearth is ready…'), null);
    const ids = startTurn(m, 'First question');
    await m.reply('send', { kind: 'accepted', sessionId: ids.sessionId, messageId: ids.replyId });
    assert.equal(input(m).value, '');
  });

  it('a host that never gets ready: the question comes back with the reason, and a late snapshot does not send it', async () => {
    const m = mountApp(null);
    type(m, 'Anyone there?');
    fireEvent.keyDown(input(m), { key: 'Enter' });
    m.requestTimers.advance(60_000);
    await m.settle();
    assert.equal(input(m).value, 'Anyone there?');
    assert.ok(m.getByText(/Hearth did not get ready in time, so nothing was sent/));
    m.send({ type: 'snapshot', state: snapshot() });
    await m.settle();
    assert.equal(m.host.asked('send').length, 0, 'the user has it back: it is theirs to send');
  });

  it('a reply that never comes (the host went away) does not leave the composer stuck: text and chips come back', async () => {
    const m = mountApp(snapshot({ context: { contextLength: 0, reservedTokens: 0, maxFileKB: 256, workspace: true, includeCurrentFile: false } }));
    m.send({ type: 'attachmentsAdded', attachments: [{ kind: 'file', name: 'a.ts', content: 'x' }] });
    type(m, 'Lost?');
    fireEvent.keyDown(input(m), { key: 'Enter' });
    assert.equal(input(m).value, '');
    m.requestTimers.advance(59_000);
    await m.settle();
    assert.equal(input(m).value, '', 'still waiting');
    m.requestTimers.advance(1_000);
    await m.settle();
    assert.equal(input(m).value, 'Lost?');
    assert.deepEqual(m.store.getState().attachments.map((a) => a.name), ['a.ts']);
    assert.ok(m.getByText(/Hearth did not answer in time/));
    assert.equal(m.host.requests.size, 0);
  });

  it('a question a command sent that did not fit comes back into an empty box, never over what the user is typing', () => {
    const m = mountApp();
    m.send({ type: 'focusInput', prefill: 'Explain this selection' });
    assert.equal(input(m).value, 'Explain this selection');
    type(m, 'my own words');
    m.send({ type: 'focusInput', prefill: 'Explain that one' });
    assert.equal(input(m).value, 'my own words');
  });

  it('Shift+Enter does not send (a new line)', () => {
    const m = mountApp();
    type(m, 'line one');
    fireEvent.keyDown(input(m), { key: 'Enter', shiftKey: true });
    assert.equal(m.host.asked('send').length, 0);
  });

  it('does not send empty text; the Send button is disabled', () => {
    const m = mountApp();
    type(m, '   ');
    fireEvent.keyDown(input(m), { key: 'Enter' });
    assert.equal(m.host.asked('send').length, 0);
    assert.equal((m.getByLabelText('Send') as HTMLButtonElement).disabled, true);
  });

  it('sends into the open session', () => {
    const s = session([message('user', 'q'), message('assistant', 'a')]);
    const m = mountApp(snapshot({ current: s }));
    type(m, 'follow-up');
    fireEvent.click(m.getByLabelText('Send'));
    assert.deepEqual(m.host.asked('send')[0], { type: 'send', content: 'follow-up', model: 'testmodel:1b', sessionId: s.id });
  });

  it('keeps the draft in the host UI state and restores it', () => {
    const m = mountApp();
    type(m, 'half-written');
    assert.equal(m.host.ui.draft, 'half-written');
    cleanup();
    const again = mountApp(snapshot(), { draft: 'restored draft' });
    assert.equal(input(again).value, 'restored draft');
  });

  it('Stop button and Escape cancel a streaming reply', () => {
    const m = mountApp();
    startTurn(m);
    fireEvent.click(m.getByLabelText('Stop generating (Escape)'));
    assert.equal(m.host.ofType('cancel').length, 1);
    fireEvent.keyDown(document, { key: 'Escape' });
    assert.equal(m.host.ofType('cancel').length, 2);
  });

  it('Escape does nothing when no reply is streaming', () => {
    const m = mountApp();
    fireEvent.keyDown(document, { key: 'Escape' });
    assert.equal(m.host.ofType('cancel').length, 0);
  });

  it('a stopped reply keeps its text and is marked', () => {
    const m = mountApp();
    const ids = startTurn(m);
    tokens(m, ids, 'half an ans');
    done(m, ids, 'cancelled');
    assert.match(m.container.querySelector('.message-assistant')?.textContent ?? '', /half an ans/);
    assert.ok(m.getByText(/Stopped/));
    assert.ok(m.getByLabelText('Send'), 'Send is back');
  });

  it('Regenerate drops the last reply and asks the host for a new one', () => {
    const m = mountApp();
    const ids = startTurn(m, 'Question');
    tokens(m, ids, 'first answer');
    done(m, ids);
    fireEvent.click(m.getByLabelText('Regenerate'));
    assert.equal(m.host.ofType('regenerate').length, 1);
    m.frame();
    assert.equal(m.container.querySelectorAll('.message-assistant').length, 0);
    // The host streams a new reply to the same question.
    const user = m.store.getState().current!.messages[0]!;
    const reply = message('assistant', '', { status: 'streaming' });
    m.send({ type: 'turnStarted', sessionId: ids.sessionId, userMessage: user, assistantMessage: reply });
    tokens(m, { sessionId: ids.sessionId, replyId: reply.id }, 'second answer');
    m.frame();
    const msgs = m.store.getState().current!.messages;
    assert.deepEqual(
      msgs.map((x) => [x.role, x.content]),
      [
        ['user', 'Question'],
        ['assistant', 'second answer'],
      ],
    );
  });

  it('Edit puts the last question back in the input and resends it as editLast', () => {
    const m = mountApp();
    const ids = startTurn(m, 'Old question');
    tokens(m, ids, 'answer');
    done(m, ids);
    fireEvent.click(m.getByLabelText('Edit and resend'));
    assert.equal(input(m).value, 'Old question');
    assert.ok(m.getByText(/Editing your last question/));
    type(m, 'New question');
    fireEvent.keyDown(input(m), { key: 'Enter' });
    assert.deepEqual(m.host.asked('editLast'), [{ type: 'editLast', content: 'New question' }]);
    assert.equal(m.host.asked('send').length, 0);
    m.frame();
    assert.equal(m.store.getState().current!.messages.length, 0, 'the old question and its reply are gone until the new turn starts');
  });

  it('Edit can be cancelled', () => {
    const m = mountApp();
    const ids = startTurn(m, 'Q');
    done(m, ids);
    fireEvent.click(m.getByLabelText('Edit and resend'));
    fireEvent.click(m.getByLabelText('Cancel editing'));
    assert.equal(input(m).value, '');
    assert.equal(m.queryByText(/Editing your last question/), null);
  });

  it('New chat clears the transcript and tells the host', () => {
    const m = mountApp(snapshot({ current: session([message('user', 'q'), message('assistant', 'a')]) }));
    fireEvent.click(m.getByLabelText('New chat'));
    assert.equal(m.host.ofType('newChat').length, 1);
    m.frame();
    assert.equal(m.container.querySelectorAll('.message').length, 0);
  });

  it('New chat then Enter within the same frame starts a new session, not a turn in the old one', () => {
    const m = mountApp(snapshot({ current: session([message('user', 'q'), message('assistant', 'a')]) }));
    fireEvent.click(m.getByLabelText('New chat'));
    // No frame in between: the new state is not painted yet.
    type(m, 'a fresh question');
    fireEvent.keyDown(input(m), { key: 'Enter' });
    const [sent] = m.host.asked('send');
    assert.equal(sent?.content, 'a fresh question');
    assert.equal(sent?.sessionId, undefined);
  });

  it('the model picker lists live models, selects and refreshes', () => {
    const m = mountApp();
    const select = m.getByLabelText('Model') as HTMLSelectElement;
    assert.deepEqual(
      Array.from(select.options).map((o) => o.value),
      ['testmodel:1b', 'other:7b'],
    );
    fireEvent.change(select, { target: { value: 'other:7b' } });
    assert.deepEqual(m.host.ofType('selectModel'), [{ type: 'selectModel', model: 'other:7b' }]);
    fireEvent.click(m.getByLabelText('Refresh models'));
    assert.equal(m.host.ofType('refreshModels').length, 1);
    m.send({ type: 'models', models: [model('fresh:3b')], selectedModel: 'fresh:3b' });
    assert.deepEqual(
      Array.from((m.getByLabelText('Model') as HTMLSelectElement).options).map((o) => o.value),
      ['fresh:3b'],
    );
    type(m, 'hi');
    fireEvent.keyDown(input(m), { key: 'Enter' });
    assert.equal(m.host.asked('send')[0]!.model, 'fresh:3b');
  });

  it('a chosen model that is no longer installed is shown as such', () => {
    const m = mountApp(snapshot({ selectedModel: 'gone:1b' }));
    assert.ok(m.getByText('gone:1b (not installed)'));
  });

  it('code block buttons: Copy always; Insert and Open in editor only with an editor', () => {
    const m = mountApp();
    const ids = startTurn(m);
    tokens(m, ids, '```ts\nlet x = 1;\n```\n');
    done(m, ids);
    fireEvent.click(m.getByLabelText('Copy code'));
    fireEvent.click(m.getByLabelText('Insert at cursor'));
    fireEvent.click(m.getByLabelText('Open in new editor'));
    assert.deepEqual(m.host.ofType('copy'), [{ type: 'copy', text: 'let x = 1;' }]);
    assert.deepEqual(m.host.ofType('insertCode'), [{ type: 'insertCode', code: 'let x = 1;' }]);
    assert.deepEqual(m.host.ofType('openInEditor'), [{ type: 'openInEditor', code: 'let x = 1;', language: 'ts' }]);
    cleanup();
    const browser = mountApp(snapshot({ capabilities: { editor: false, pull: false } }));
    const ids2 = startTurn(browser);
    tokens(browser, ids2, '```\nplain\n```\n');
    done(browser, ids2);
    assert.ok(browser.getByLabelText('Copy code'));
    assert.equal(browser.queryByLabelText('Insert at cursor'), null);
    assert.equal(browser.queryByLabelText('Open in new editor'), null);
  });

  it('links go to the host with their full URL; clicks never navigate', () => {
    const m = mountApp();
    const ids = startTurn(m);
    tokens(m, ids, 'See [the docs](https://example.com/a?b=1#c).');
    done(m, ids);
    const a = m.getByText('the docs') as HTMLAnchorElement;
    assert.equal(a.getAttribute('title'), 'https://example.com/a?b=1#c');
    const ev = new MouseEvent('click', { bubbles: true, cancelable: true });
    void act(() => {
      a.dispatchEvent(ev);
    });
    assert.equal(ev.defaultPrevented, true);
    assert.deepEqual(m.host.ofType('openLink'), [{ type: 'openLink', url: 'https://example.com/a?b=1#c' }]);
  });

  it('focusInput from the host fills and focuses the input', () => {
    const m = mountApp();
    m.send({ type: 'focusInput', prefill: 'Explain this code' });
    assert.equal(input(m).value, 'Explain this code');
    assert.equal(document.activeElement, input(m));
  });
});

describe('history', () => {
  afterEach(cleanup);
  const here = summary('Refactor the parser', { workspace: 'file:///ws', updated_at: 1_700_000_100_000 });
  const here2 = summary('Write tests', { workspace: 'file:///ws', updated_at: 1_700_000_200_000 });
  const elsewhere = summary('Other project question', { workspace: 'file:///other', updated_at: 1_700_000_300_000 });

  function openHistory() {
    const m = mountApp(snapshot({ sessions: [here, elsewhere, here2], workspace: 'file:///ws' }));
    fireEvent.click(m.getByLabelText('Show history'));
    return m;
  }
  const titles = (m: ReturnType<typeof mountApp>) => Array.from(m.container.querySelectorAll('.history-title')).map((e) => e.textContent);

  it('lists this workspace first (newest first), then the others', () => {
    const m = openHistory();
    assert.deepEqual(titles(m), ['Write tests', 'Refactor the parser', 'Other project question']);
    assert.ok(m.getByText('This workspace'));
    assert.ok(m.getByText('Other chats'));
  });

  it('the host can open the history (showHistory)', () => {
    const m = mountApp(snapshot({ sessions: [here] }));
    assert.equal(m.container.querySelector('.history'), null);
    m.send({ type: 'showHistory' });
    assert.ok(m.container.querySelector('.history'));
  });

  it('search filters by title', () => {
    const m = openHistory();
    fireEvent.input(m.getByLabelText('Search chats'), { target: { value: 'PARSER' } });
    assert.deepEqual(titles(m), ['Refactor the parser']);
    fireEvent.input(m.getByLabelText('Search chats'), { target: { value: 'zzz' } });
    assert.ok(m.getByText(/No chat matches/));
  });

  it('opening a session asks the host and returns to the chat', () => {
    const m = openHistory();
    fireEvent.click(m.getByText('Write tests'));
    assert.deepEqual(m.host.ofType('openSession'), [{ type: 'openSession', sessionId: here2.id }]);
    assert.equal(m.container.querySelector('.history'), null);
  });

  it('rename', () => {
    const m = openHistory();
    fireEvent.click(m.getByLabelText('Rename Write tests'));
    const field = m.getByLabelText('New title');
    fireEvent.input(field, { target: { value: 'Write more tests' } });
    fireEvent.submit(field.closest('form')!);
    assert.deepEqual(m.host.ofType('renameSession'), [{ type: 'renameSession', sessionId: here2.id, title: 'Write more tests' }]);
    m.frame();
    assert.ok(titles(m).includes('Write more tests'));
  });

  it('delete asks for confirmation first', () => {
    const m = openHistory();
    fireEvent.click(m.getByLabelText('Delete Write tests'));
    assert.equal(m.host.ofType('deleteSession').length, 0);
    fireEvent.click(m.getByText('Keep'));
    assert.equal(m.host.ofType('deleteSession').length, 0);
    fireEvent.click(m.getByLabelText('Delete Write tests'));
    fireEvent.click(m.getByText('Delete'));
    assert.deepEqual(m.host.ofType('deleteSession'), [{ type: 'deleteSession', sessionId: here2.id }]);
    m.frame();
    assert.ok(!titles(m).includes('Write tests'));
  });

  it('export asks the host for Markdown', () => {
    const m = openHistory();
    fireEvent.click(m.getByLabelText('Export Refactor the parser as Markdown'));
    assert.deepEqual(m.host.ofType('exportSession'), [{ type: 'exportSession', sessionId: here.id }]);
  });

  it('ArrowDown/ArrowUp move through the list', () => {
    const m = openHistory();
    const search = m.getByLabelText('Search chats');
    search.focus();
    fireEvent.keyDown(search, { key: 'ArrowDown' });
    assert.equal(document.activeElement?.textContent?.startsWith('Write tests'), true);
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown' });
    assert.equal(document.activeElement?.textContent?.startsWith('Refactor the parser'), true);
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowUp' });
    assert.equal(document.activeElement?.textContent?.startsWith('Write tests'), true);
  });

  it('Escape returns from history to the chat', () => {
    const m = openHistory();
    fireEvent.keyDown(document, { key: 'Escape' });
    assert.equal(m.container.querySelector('.history'), null);
  });
});
