import assert from 'node:assert/strict';
import { formatAttachment, userContentForModel } from '../../../src/shared/attachments';
import type { Attachment } from '../../../src/shared/session';
import { estimateAttachmentTokens, estimateMessageTokens, estimateTokens, MESSAGE_OVERHEAD } from '../../../src/shared/tokens';

describe('token estimate (shared by the context fit and the UI)', () => {
  it('estimates ~4 ASCII characters per token and 1 per other character', () => {
    assert.equal(estimateTokens(''), 0);
    assert.equal(estimateTokens('abcd'), 1);
    assert.equal(estimateTokens('abcde'), 2);
    assert.equal(estimateTokens('世界'), 2);
    assert.equal(estimateTokens('🔥'), 1, 'a surrogate pair counts once');
  });

  it('a message costs its text plus the template overhead', () => {
    assert.equal(estimateMessageTokens({ content: 'abcdefgh' }), 2 + MESSAGE_OVERHEAD);
  });

  it("an attachment is counted in the format the model receives, so the chips add up to the question's size", () => {
    const a: Attachment = { kind: 'file', name: 'app.ts', language: 'typescript', content: 'const x = 1;\n'.repeat(20) };
    assert.equal(estimateAttachmentTokens(a), estimateTokens(formatAttachment(a)));
    assert.ok(estimateAttachmentTokens(a) > estimateTokens(a.content), 'heading and fence count too');
    const question = { content: 'Explain', attachments: [a] };
    assert.ok(estimateTokens(userContentForModel(question)) >= estimateAttachmentTokens(a) + estimateTokens('Explain'));
  });
});
