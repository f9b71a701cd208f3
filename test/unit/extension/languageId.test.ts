import assert from 'node:assert/strict';
import { languageIdFor } from '../../../src/extension/view/languageId';

describe('languageIdFor (a fence name chosen by the model)', () => {
  it('maps short fence names to VS Code ids and passes others through, lower-cased', () => {
    assert.equal(languageIdFor('ts'), 'typescript');
    assert.equal(languageIdFor('Bash'), 'shellscript');
    assert.equal(languageIdFor('c++'), 'cpp');
    assert.equal(languageIdFor('Go'), 'go');
    assert.equal(languageIdFor(undefined), undefined);
    assert.equal(languageIdFor(''), undefined);
    assert.equal(languageIdFor('no spaces'), undefined);
    assert.equal(languageIdFor('x'.repeat(41)), undefined);
  });

  it("names of Object.prototype's members stay plain strings", () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__']) {
      assert.equal(languageIdFor(name), name.toLowerCase(), name);
    }
  });
});
