import assert from 'node:assert/strict';
import { act, cleanup, fireEvent } from '@testing-library/preact';
import { codeBlockKey } from '../../src/shared/codeBlocks';
import { done, message, mountApp, session, snapshot, startTurn, tokens } from './helpers';

const APPLY = 'Apply to a file (review the change as a diff)';
const WAITING = 'Apply (waits for the block to finish)';

describe('Apply on code blocks', () => {
  afterEach(cleanup);

  it('every code block of a reply has Apply; it posts the reply id and the block code', () => {
    const reply = message('assistant', 'Two fixes:\n\n```python\nx = 1\n```\n\nand\n\n```js\ny()\n```');
    const m = mountApp(snapshot({ current: session([message('user', 'fix'), reply]) }));
    const buttons = m.getAllByLabelText(APPLY);
    assert.equal(buttons.length, 2);
    fireEvent.click(buttons[1]!);
    assert.deepEqual(m.host.asked('applyCode'), [{ type: 'applyCode', messageId: reply.id, code: 'y()' }]);
  });

  it('while a block streams, Apply waits (disabled) until its fence closes', () => {
    const m = mountApp();
    const ids = startTurn(m, 'fix it');
    tokens(m, ids, 'Here:\n\n```py\n', 'x = 1\n');
    m.frame();
    const waiting = m.getByLabelText(WAITING) as HTMLButtonElement;
    assert.equal(waiting.disabled, true);
    tokens(m, ids, '```\n\nMore text');
    m.frame();
    const ready = m.getByLabelText(APPLY) as HTMLButtonElement;
    assert.equal(ready.disabled, false, 'a closed block can be applied while the rest of the reply streams');
    fireEvent.click(ready);
    assert.deepEqual(m.host.asked('applyCode')[0], { type: 'applyCode', messageId: ids.replyId, code: 'x = 1' });
    done(m, ids);
  });

  it('shows what became of a block: from the stored reply and from the host as it happens', () => {
    const code = 'x = 1';
    const reply = message('assistant', '```py\nx = 1\n```\n\n```py\ny = 2\n```', { applied: { [codeBlockKey(code)]: 'applied' } });
    const s = session([message('user', 'q'), reply]);
    const m = mountApp(snapshot({ current: s }));
    assert.equal(m.getAllByRole('status').map((e) => e.textContent?.trim()).join('|'), 'Applied');
    void act(() => m.send({ type: 'applyState', sessionId: s.id, messageId: reply.id, key: codeBlockKey('y = 2\n'), state: 'rejected' }));
    assert.deepEqual(
      m.getAllByRole('status').map((e) => e.textContent?.trim()),
      ['Applied', 'Rejected'],
    );
  });

  it('the browser UI (no editor) offers Copy only and says so where Apply would be', () => {
    const m = mountApp(snapshot({ capabilities: { editor: false, pull: false }, current: session([message('user', 'q'), message('assistant', '```py\nx = 1\n```')]) }));
    assert.equal(m.queryByLabelText(APPLY), null);
    assert.ok(m.getByLabelText('Copy code'));
    assert.ok(m.getByText('Copy only here: Apply works in VS Code'));
  });

  it('code the user typed in a question is not a reply block: no Apply there', () => {
    const m = mountApp(snapshot({ current: session([message('user', '```py\nx = 1\n```'), message('assistant', 'ok')]) }));
    assert.equal(m.queryByLabelText(APPLY), null);
  });
});
