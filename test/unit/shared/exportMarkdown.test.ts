import assert from 'node:assert/strict';
import { exportFileName, sessionToMarkdown } from '../../../src/shared/exportMarkdown';

describe('markdown export (one exporter for VS Code and the browser)', () => {
  it('writes the conversation with reasoning, stopped and error notes', () => {
    const md = sessionToMarkdown({
      id: 'session-0001',
      title: 'Lists',
      model: 'm',
      created_at: 0,
      updated_at: 0,
      messages: [
        { id: 'u1000000', role: 'user', content: 'How?', status: 'complete', created_at: 0 },
        { id: 'a1000000', role: 'assistant', content: 'Like ```this```', thinking: 'hmm', status: 'stopped', created_at: 0, model: 'm' },
        { id: 'a2000000', role: 'assistant', content: '', status: 'error', created_at: 0, error: { code: 'timeout', message: 'took too long' } },
      ],
    });
    assert.ok(md.startsWith('# Lists\n'));
    assert.ok(md.includes('## You\n\nHow?'));
    assert.ok(md.includes('## Assistant (m)'));
    assert.ok(md.includes('<summary>Reasoning</summary>\n\n```text\nhmm\n```'));
    assert.ok(md.includes('_(stopped before the end)_'));
    assert.ok(md.includes('_Error: took too long_'));
  });

  it('writes attachments collapsed, with a fence their own backticks cannot close', () => {
    const md = sessionToMarkdown({
      id: 'session-0002',
      title: 'With a file',
      created_at: 0,
      updated_at: 0,
      messages: [
        {
          id: 'u1000000',
          role: 'user',
          content: 'Why?',
          status: 'complete',
          created_at: 0,
          attachments: [{ kind: 'file', name: 'a.md', path: 'docs/a.md', language: 'markdown', content: '```js\nx\n```\n', range: { startLine: 2, endLine: 4 } }],
        },
      ],
    });
    assert.ok(md.includes('<details>\n<summary>File `docs/a.md` (markdown, lines 2-4)</summary>\n\n````markdown\n```js\nx\n```\n````\n\n</details>'), md);
    assert.ok(md.indexOf('</details>') < md.indexOf('Why?'));
  });

  it('an interrupted reply says so once, not also as an error', () => {
    const md = sessionToMarkdown({
      id: 'session-0003',
      title: 't',
      created_at: 0,
      updated_at: 0,
      messages: [{ id: 'a1000000', role: 'assistant', content: 'par', status: 'interrupted', created_at: 0, error: { code: 'interrupted', message: 'stopped early' } }],
    });
    assert.ok(md.includes('_(interrupted)_'));
    assert.ok(!md.includes('stopped early'));
  });

  it('makes a safe file name from the title', () => {
    assert.equal(exportFileName({ title: 'a/b: c?' }), 'a-b-c.md');
    assert.equal(exportFileName({ title: '../../etc/passwd' }), 'etc-passwd.md');
    assert.equal(exportFileName({ title: '???' }), 'chat.md');
  });
});
