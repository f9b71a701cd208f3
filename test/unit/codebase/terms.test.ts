import assert from 'node:assert/strict';
import { queryTerms, splitIdentifier, stem, termCounts } from '../../../src/shared/codebase/terms';

describe('codebase terms', () => {
  it('splits camelCase, acronyms, snake_case and digits', () => {
    assert.deepEqual(splitIdentifier('parseHTTPHeader'), ['parse', 'HTTP', 'Header']);
    assert.deepEqual(splitIdentifier('XMLHttpRequest2'), ['XML', 'Http', 'Request', '2']);
    assert.deepEqual(splitIdentifier('max_retry_count'), ['max', 'retry', 'count']);
  });

  it('indexes the words of an identifier and the whole identifier', () => {
    const t = termCounts('const parseHTTPHeader = read_config_file();');
    for (const w of ['pars', 'http', 'head', 'parsehttpheader', 'read', 'config', 'readconfigfile']) assert.ok(t.has(w), `missing ${w} in ${[...t.keys()].join(' ')}`);
  });

  it('stems the forms of a word to one term', () => {
    for (const group of [['handler', 'handlers', 'handled', 'handle', 'handles', 'handling'], ['retry', 'retries'], ['parse', 'parser', 'parsing', 'parsed'], ['validate', 'validation', 'validated']]) {
      assert.equal(new Set(group.map(stem)).size, 1, `${group.join(', ')} → ${group.map(stem).join(', ')}`);
    }
    assert.equal(stem('api'), 'api');
  });

  it("drops a question's filler words and notices when it asks for tests or docs", () => {
    const q = queryTerms('Where is the not-found handler set up?');
    assert.deepEqual(q.terms.sort(), ['found', 'handl', 'not', 'set', 'up'].sort());
    assert.equal(q.wantsTests, false);
    assert.ok(queryTerms('which tests cover the parser?').wantsTests);
    assert.ok(queryTerms('where is the retry option documented in the docs?').wantsDocs);
    // All filler: the words are kept, so the search is not empty.
    assert.ok(queryTerms('where is it').terms.length > 0);
  });
});
