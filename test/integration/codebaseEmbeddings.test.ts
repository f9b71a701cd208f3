/**
 * hearth.codebase.embeddingModel in the real extension host: "Select Embedding
 * Model" offers only the double's model that can embed; chosen, the workspace's
 * chunks are embedded through /api/embed in the background until complete, and a
 * search is then fused (the question is embedded too). A model that fails halfway
 * leaves the lexical index answering; with Ollama gone a search still answers; the
 * embedding resumes once the model works and the index changes.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { HearthApi } from '../../src/extension/extension';
import type { HearthTestApi } from '../../src/extension/testApi';
import { double } from './support/double';
import { waitUntil } from './support/waitUntil';

const enc = (s: string) => new TextEncoder().encode(s);
const EMBED_MODEL = 'embed-test:latest';

describe('codebase embeddings: hearth.codebase.embeddingModel', function () {
  this.timeout(180_000);
  let t: HearthTestApi;
  let dir: vscode.Uri;
  const write = (rel: string, body: string) => vscode.workspace.fs.writeFile(vscode.Uri.joinPath(dir, rel), enc(body));
  /** A file created as the editor creates one (a workspace edit): the index hears of it at once, not when the file watcher gets round to it. */
  const create = async (rel: string, body: string) => {
    const edit = new vscode.WorkspaceEdit();
    edit.createFile(vscode.Uri.joinPath(dir, rel), { overwrite: true, contents: enc(body) });
    assert.ok(await vscode.workspace.applyEdit(edit), `created ${rel}`);
  };
  const embedRequests = async () => (await double.requests()).filter((r) => r.path === '/api/embed');

  before(async () => {
    const ext = vscode.extensions.getExtension<HearthApi>('hearth-dev.hearth');
    assert.ok(ext);
    t = (await ext.activate()).test!;
    await double.reset();
    await double.models({ add: [{ name: EMBED_MODEL, capabilities: ['embedding'] }] });
    dir = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, 'cbemb');
    await write('shipping/parcelRouter.ts', 'export function routeParcelToDepot(parcel: { zip: string }) {\n  // picks the depot nearest to the parcel\'s postcode\n  return parcel.zip.slice(0, 2);\n}\n');
    await write('shipping/.env', 'PARCEL_DEPOT_TOKEN=sk-secret-parcel\n');
    await waitUntil(async () => (await t.codebaseSearch('route parcel to depot')).some((h) => h.path === 'cbemb/shipping/parcelRouter.ts'), 'the file indexed');
  });

  after(async () => {
    await double.embedFailAfter(null);
    await vscode.workspace.getConfiguration('hearth').update('codebase.embeddingModel', undefined, vscode.ConfigurationTarget.Global);
    await vscode.workspace.fs.delete(dir, { recursive: true });
    await double.reset();
  });

  it('the pick offers only models that can embed; chosen, every chunk is embedded in the background and searches are fused', async () => {
    assert.equal((await t.codebaseEmbeddings()).progress, undefined, 'no model: lexical only');
    void vscode.commands.executeCommand('hearth.selectEmbeddingModel');
    await waitUntil(() => t.embeddingPickItems()?.includes(EMBED_MODEL) === true, 'the pick lists the embedding model');
    const items = t.embeddingPickItems()!;
    assert.deepEqual(items, ['', EMBED_MODEL], 'None, then only the model with the embedding capability (not test-model)');
    assert.ok(t.acceptEmbeddingPick(EMBED_MODEL));
    await waitUntil(() => vscode.workspace.getConfiguration('hearth').get('codebase.embeddingModel') === EMBED_MODEL, 'the setting written');

    await waitUntil(async () => (await t.codebaseEmbeddings()).fused, 'every chunk embedded', 120_000);
    const { progress } = await t.codebaseEmbeddings();
    assert.equal(progress?.model, EMBED_MODEL);
    assert.ok(progress!.total > 0 && progress!.done === progress!.total, JSON.stringify(progress));
    const embeds = await embedRequests();
    assert.ok(embeds.length >= 1 && embeds.every((r) => r.body.model === EMBED_MODEL));
    assert.ok(!embeds.some((r) => JSON.stringify(r.body.input).includes('sk-secret-parcel')), 'a secret file is never embedded');

    const before = (await double.requests()).length;
    const hits = await t.codebaseSearch('which depot does a parcel go to?');
    assert.equal(hits[0]?.path, 'cbemb/shipping/parcelRouter.ts');
    const asked = (await double.requests()).slice(before).filter((r) => r.path === '/api/embed');
    assert.ok(
      asked.some((r) => JSON.stringify(r.body.input).includes('which depot does a parcel go to?')),
      'the question was embedded: the search is fused',
    );
  });

  it('a model failing halfway: the lexical index keeps answering, the error is kept; Ollama gone: still answers; it resumes when the index changes again', async () => {
    await double.embedFailAfter(1);
    // New chunks to embed: two files, so the model fails after the first text.
    await create('shipping/labels.ts', 'export function printShippingLabel() {\n  return "label";\n}\n');
    await create('shipping/customs.ts', 'export function declareCustomsValue() {\n  return 0;\n}\n');
    // The index has them (found lexically) before their chunks are embedded.
    await waitUntil(async () => (await t.codebaseSearch('declare customs value')).some((h) => h.path === 'cbemb/shipping/customs.ts'), 'the new files indexed');
    await waitUntil(async () => (await t.codebaseEmbeddings()).progress?.error != null, 'the failure is kept', 60_000);
    const { progress, fused } = await t.codebaseEmbeddings();
    assert.match(progress!.error!, new RegExp(`Embedding with '${EMBED_MODEL}' stopped`));
    assert.equal(fused, false, 'not complete: the lexical index answers alone');
    assert.ok(progress!.done < progress!.total);
    const hits = await t.codebaseSearch('declare customs value');
    assert.equal(hits[0]?.path, 'cbemb/shipping/customs.ts', 'found lexically while embeddings are incomplete');

    await double.stop();
    try {
      const down = await t.codebaseSearch('print shipping label');
      assert.equal(down[0]?.path, 'cbemb/shipping/labels.ts', 'Ollama down: the lexical index answers');
    } finally {
      await double.start();
    }

    // The model works again; the next change brings the embeddings up to date (what was done is not embedded again).
    await double.embedFailAfter(null);
    await create('shipping/returns.ts', 'export function acceptReturnedParcel() {\n  return true;\n}\n');
    await waitUntil(async () => {
      const e = await t.codebaseEmbeddings();
      return e.fused && e.progress?.error === null && e.progress.done === e.progress.total;
    }, 'complete again, the failure gone', 120_000);
    const resumed = (await double.requests()).filter((r) => r.path === '/api/embed' && JSON.stringify(r.body.input).includes('acceptReturnedParcel'));
    assert.ok(resumed.length >= 1, 'the new chunk was embedded');
  });
});
