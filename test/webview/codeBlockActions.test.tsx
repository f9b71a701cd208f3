/** Code-block buttons come from their descriptors (src/shared/codeBlockActions.ts): where each shows, its icon and label, and what it posts. */
import assert from 'node:assert/strict';
import { cleanup, fireEvent, render } from '@testing-library/preact';
import { CODE_BLOCK_ACTIONS, codeBlockActions } from '../../src/shared/codeBlockActions';
import type { WebviewToHost } from '../../src/shared/protocol';
import { CodeBlock } from '../../webview/components/CodeBlock';
import { ActionsContext, ReplyContext } from '../../webview/components/context';

function mount(opts: { editor: boolean; reply?: boolean; open?: boolean }) {
  const posted: WebviewToHost[] = [];
  const r = render(
    <ActionsContext.Provider value={{ post: (m) => void posted.push(m), apply: async (messageId, code) => void posted.push({ type: 'applyCode', messageId, code }), local: () => {}, editor: opts.editor }}>
      <ReplyContext.Provider value={opts.reply ? { messageId: 'msg-00000001' } : undefined}>
        <CodeBlock code={'print(1)\n'} lang="python" {...(opts.open ? { open: true } : {})} />
      </ReplyContext.Provider>
    </ActionsContext.Provider>,
  );
  const buttons = () => [...r.container.querySelectorAll<HTMLButtonElement>('.code-actions button')];
  return { r, posted, buttons };
}

describe('code-block actions from descriptors', () => {
  afterEach(cleanup);

  it('in VS Code a reply’s block shows every action, in order, with its descriptor’s icon and label; each posts its message', () => {
    const m = mount({ editor: true, reply: true });
    const want = codeBlockActions('vscode', true);
    assert.deepEqual(want.map((a) => a.id), CODE_BLOCK_ACTIONS.map((a) => a.id), 'VS Code offers them all');
    assert.deepEqual(
      m.buttons().map((b) => [b.getAttribute('aria-label'), b.querySelector('.codicon')!.className]),
      want.map((a) => [a.label, `codicon codicon-${a.codicon}`]),
    );
    for (const b of m.buttons()) fireEvent.click(b);
    assert.deepEqual(m.posted, [
      { type: 'copy', text: 'print(1)\n' },
      { type: 'insertCode', code: 'print(1)\n' },
      { type: 'openInEditor', code: 'print(1)\n', language: 'python' },
      { type: 'applyCode', messageId: 'msg-00000001', code: 'print(1)\n' },
    ]);
    assert.equal(m.r.queryByText('Copy only here: Apply works in VS Code'), null);
  });

  it('in a browser tab only the actions offered there, and the reply says where Apply works', () => {
    const m = mount({ editor: false, reply: true });
    assert.deepEqual(m.buttons().map((b) => b.getAttribute('aria-label')), codeBlockActions('browser', true).map((a) => a.label));
    assert.deepEqual(m.buttons().map((b) => b.getAttribute('aria-label')), ['Copy code']);
    assert.ok(m.r.getByText('Copy only here: Apply works in VS Code'));
  });

  it('reply-only actions are not on code outside a reply; a block still being written makes Apply wait, and copy works', () => {
    const outside = mount({ editor: true });
    assert.ok(!outside.buttons().some((b) => b.textContent === 'Apply'));
    cleanup();
    const open = mount({ editor: true, reply: true, open: true });
    const apply = open.buttons().find((b) => b.textContent === 'Apply')!;
    assert.equal(apply.disabled, true);
    assert.equal(apply.getAttribute('aria-label'), 'Apply (waits for the block to finish)');
    const copy = open.buttons().find((b) => b.getAttribute('aria-label') === 'Copy code')!;
    assert.equal(copy.disabled, false);
    fireEvent.click(copy);
    assert.deepEqual(open.posted, [{ type: 'copy', text: 'print(1)\n' }]);
  });
});
