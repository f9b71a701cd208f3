import assert from 'node:assert/strict';
import { createLog } from '../../../src/extension/log';

describe('extension log', () => {
  it('writes timestamped lines, and never throws once VS Code has closed the channel', () => {
    const lines: string[] = [];
    let closed = false;
    const log = createLog({
      appendLine: (l: string) => {
        if (closed) throw new Error('Channel has been closed');
        lines.push(l);
      },
    });
    log('activated');
    assert.match(lines[0]!, /^\[\d{4}-\d\d-\d\dT[^\]]+\] activated$/);
    closed = true;
    assert.doesNotThrow(() => log('a write failed during shutdown'));
  });
});
