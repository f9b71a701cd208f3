import assert from 'node:assert/strict';
import { fencedBlocks, planEdit } from '../../../src/core/apply';
import { CORPUS } from './corpus';

describe('apply: where real-shaped model output lands, or why it is refused', () => {
  for (const c of CORPUS) {
    it(c.name, () => {
      const blocks = fencedBlocks(c.reply);
      const block = blocks[c.block ?? 0];
      assert.ok(block, 'the reply has the block');
      const plan = planEdit({ text: c.file, code: block.code, info: block.info, region: c.region ?? { kind: 'file' }, fileName: c.fileName ?? 'file' });
      if ('refused' in c.expect) {
        assert.equal(plan.ok, false, plan.ok ? `expected a refusal, got:\n${plan.text}` : '');
        if (!plan.ok) assert.match(plan.reason, c.expect.refused);
        return;
      }
      assert.ok(plan.ok, plan.ok ? '' : plan.reason);
      if (!plan.ok) return;
      assert.equal(plan.text, c.expect.text);
      assert.deepEqual(plan.lands, c.expect.lands);
      if (c.expect.how) assert.equal(plan.how, c.expect.how);
    });
  }
});
