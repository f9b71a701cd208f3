import assert from 'node:assert/strict';
import { completionStatusView } from '../../../src/extension/completion/statusView';

describe('inline completion status-bar item', () => {
  it('says on (with the model), off, off for a language, snoozed (minutes left), waiting, failing (with the message, as a warning)', () => {
    assert.equal(completionStatusView({ kind: 'on', model: 'qwen2.5-coder:1.5b' }).text, '$(sparkle) Complete');
    assert.match(completionStatusView({ kind: 'on', model: 'qwen2.5-coder:1.5b' }).tooltip, /on\*\* with `qwen2\.5-coder:1\.5b`/);
    assert.match(completionStatusView({ kind: 'off' }).tooltip, /\*\*off\*\*/);
    assert.match(completionStatusView({ kind: 'offForLanguage', language: 'markdown' }).tooltip, /off for markdown/);
    const snoozed = completionStatusView({ kind: 'snoozed', untilMs: 10 * 60_000, nowMs: 60_000 + 1 });
    assert.equal(snoozed.text, '$(clock) Complete 9m');
    assert.match(completionStatusView({ kind: 'snoozed', untilMs: 30_000, nowMs: 0 }).tooltip, /1 more minute\./);
    assert.equal(completionStatusView({ kind: 'waiting' }).text, '$(loading~spin) Complete');
    const failing = completionStatusView({ kind: 'failing', message: 'Ollama is not running at http://127.0.0.1:11434: start it with `ollama serve`.', model: 'm' });
    assert.equal(failing.warning, true);
    assert.match(failing.tooltip, /ollama serve/);
    for (const k of ['on', 'off', 'waiting'] as const) assert.equal(completionStatusView({ kind: k } as never).warning, false);
  });
});
