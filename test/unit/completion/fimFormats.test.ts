/** Every raw FIM format against its family's published tokens, in the order the family's model card gives them. */
import assert from 'node:assert/strict';
import { ALL_FIM_TOKENS, commentedSnippets, FIM_FORMATS, fimFormatFor } from '../../../src/shared/completion/fimFormats';

const input = { prefix: 'def add(a, b):\n    ', suffix: '\n\nprint(add(1, 2))', path: 'src/calc.py', language: 'python', snippets: [] };
const withSnippet = { ...input, snippets: [{ path: 'src/util.py', text: 'def sub(a, b):\n    return a - b' }] };

describe('FIM formats', () => {
  // Published formats: the model cards / papers cited in fimFormats.ts.
  const published: [string, string, string, string[]][] = [
    ['qwen2.5-coder:1.5b', 'qwen-coder', '<|fim_prefix|>P<|fim_suffix|>S<|fim_middle|>', ['<|endoftext|>', '<|file_sep|>', '<|fim_pad|>']],
    ['starcoder2:3b', 'starcoder', '<fim_prefix>P<fim_suffix>S<fim_middle>', ['<|endoftext|>', '<file_sep>']],
    ['codellama:7b-code', 'codellama', '<PRE> P <SUF>S <MID>', ['<EOT>']],
    ['deepseek-coder:1.3b-base', 'deepseek-coder', '<｜fim▁begin｜>P<｜fim▁hole｜>S<｜fim▁end｜>', ['<｜end▁of▁sentence｜>']],
    ['codestral:22b', 'codestral', '[SUFFIX]S[PREFIX]P', ['[PREFIX]', '[SUFFIX]']],
    ['codegemma:2b', 'codegemma', '<|fim_prefix|>P<|fim_suffix|>S<|fim_middle|>', ['<|file_separator|>', '<end_of_turn>']],
  ];
  for (const [model, id, expected, stops] of published) {
    it(`${model}: ${id}, tokens in the published order, with its stop tokens`, () => {
      const f = fimFormatFor(model);
      assert.equal(f?.id, id);
      assert.equal(f!.build({ prefix: 'P', suffix: 'S', snippets: [] }), expected);
      for (const s of stops) assert.ok(f!.stop.includes(s), `${s} is a stop token`);
    });
  }

  it('knows the families by their Ollama names and no chat model', () => {
    assert.equal(fimFormatFor('hf.co/Qwen/Qwen2.5-Coder-7B-Instruct-GGUF')?.id, 'qwen-coder');
    assert.equal(fimFormatFor('deepseek-coder-v2:16b')?.id, 'deepseek-coder');
    assert.equal(fimFormatFor('stable-code:3b')?.id, 'starcoder');
    for (const chat of ['llama3.2:3b', 'mistral:7b', 'qwen3:8b', 'gemma3:4b', 'deepseek-r1:7b']) assert.equal(fimFormatFor(chat), undefined, chat);
  });

  it('labels snippets with their paths as each format expects', () => {
    const q = fimFormatFor('qwen2.5-coder')!.build(withSnippet);
    assert.ok(q.startsWith('<|repo_name|>'), q);
    assert.ok(q.includes('<|file_sep|>src/util.py\ndef sub(a, b):'));
    assert.ok(q.includes('<|file_sep|>src/calc.py\n<|fim_prefix|>def add'));
    const sc = fimFormatFor('starcoder2')!.build(withSnippet);
    assert.ok(sc.startsWith('<file_sep>src/util.py\n'), sc);
    assert.ok(sc.includes('<file_sep>src/calc.py\n<fim_prefix>'));
    const cs = fimFormatFor('codestral')!.build(withSnippet);
    assert.ok(cs.includes('+++++ src/util.py\n') && cs.includes('+++++ src/calc.py\ndef add'), cs);
    // Formats without a file separator: the snippet as comments of the file's language, path first.
    const cl = fimFormatFor('codellama:code')!.build(withSnippet);
    assert.ok(cl.startsWith('<PRE> # Path: src/util.py\n# def sub(a, b):\n#     return a - b\n'), cl);
    assert.equal(commentedSnippets([{ path: 'a.ts', text: 'x' }], 'typescript'), '// Path: a.ts\n// x\n\n');
    assert.equal(commentedSnippets([], 'typescript'), '');
  });

  it('lists every special token once, for the clean-up', () => {
    assert.equal(new Set(ALL_FIM_TOKENS).size, ALL_FIM_TOKENS.length);
    for (const f of FIM_FORMATS) for (const s of f.stop) assert.ok(ALL_FIM_TOKENS.includes(s));
  });
});
