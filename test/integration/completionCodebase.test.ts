/**
 * Inline completion's snippets from the codebase index, in the real extension
 * host: a file of another language (so never an open-file snippet) that defines
 * what the code before the cursor calls is found by the index and goes to the
 * model with the completion request; a secret file never does.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { HearthApi } from '../../src/extension/extension';
import type { HearthTestApi } from '../../src/extension/testApi';
import { double } from './support/double';
import { waitUntil } from './support/waitUntil';

const enc = (s: string) => new TextEncoder().encode(s);
const FIM_MODEL = 'coder-fim:1.5b';

describe('inline completion: snippets from the codebase index', function () {
  this.timeout(120_000);
  let t: HearthTestApi;
  let dir: vscode.Uri;
  const create = async (rel: string, body: string) => {
    const edit = new vscode.WorkspaceEdit();
    edit.createFile(vscode.Uri.joinPath(dir, rel), { overwrite: true, contents: enc(body) });
    assert.ok(await vscode.workspace.applyEdit(edit), `created ${rel}`);
  };

  before(async () => {
    const ext = vscode.extensions.getExtension<HearthApi>('hearth-dev.hearth');
    assert.ok(ext);
    t = (await ext.activate()).test!;
    await double.reset();
    await double.models({ add: [{ name: FIM_MODEL, capabilities: ['completion', 'insert'] }] });
    const cfg = vscode.workspace.getConfiguration('hearth');
    await cfg.update('completion.model', FIM_MODEL, vscode.ConfigurationTarget.Global);
    await cfg.update('completion.enabled', true, vscode.ConfigurationTarget.Global);
    dir = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, 'cbfim');
    await create('rates/shippingTariffs.js', 'export function computeShippingTariff(weightKg, zone) {\n  return weightKg * (zone === "EU" ? 4.5 : 9);\n}\n');
    await create('rates/.env', 'SHIPPING_TARIFF_KEY=sk-secret-tariff\n');
    await waitUntil(async () => (await t.codebaseSearch('computeShippingTariff weightKg zone')).some((h) => h.path === 'cbfim/rates/shippingTariffs.js'), 'the tariff file indexed');
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const cfg = vscode.workspace.getConfiguration('hearth');
    await cfg.update('completion.model', undefined, vscode.ConfigurationTarget.Global);
    await cfg.update('completion.enabled', undefined, vscode.ConfigurationTarget.Global);
    await vscode.workspace.fs.delete(dir, { recursive: true });
    await double.reset();
  });

  it('the code before the cursor calls computeShippingTariff: its definition (a .js file, not open) goes with the request; the .env never', async () => {
    const uri = vscode.Uri.joinPath(dir, 'orders/priceOrder.ts');
    await create('orders/priceOrder.ts', 'export function priceOrder(weightKg: number, zone: string) {\n  const tariff = computeShippingTariff(');
    const doc = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(doc);
    const end = doc.lineAt(doc.lineCount - 1).range.end;
    editor.selection = new vscode.Selection(end, end);
    const before = (await double.requests()).length;
    const generated = async () => (await double.requests()).slice(before).filter((r) => r.path === '/api/generate');
    // Asked again (after a keystroke that leaves the query as it is) until a request carries it: the editor may take a moment
    // to take the trigger, and a first search slower than its budget is not waited for (the next request has its answer).
    let asks = 0;
    await waitUntil(
      async () => {
        if (asks++ > 0) {
          const end = doc.lineAt(doc.lineCount - 1).range.end;
          await editor.edit((e) => e.insert(end, ' '));
          const at = doc.lineAt(doc.lineCount - 1).range.end;
          editor.selection = new vscode.Selection(at, at);
        }
        await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
        return (await generated()).some((r) => String(r.body.prompt).includes('Path: cbfim/rates/shippingTariffs.js'));
      },
      'a completion request with the snippet from the index',
      60_000,
    );
    const reqs = await generated();
    const prompt = String(reqs.find((r) => String(r.body.prompt).includes('Path: cbfim/rates/shippingTariffs.js'))!.body.prompt);
    assert.ok(prompt.includes('computeShippingTariff(weightKg, zone)'), 'the definition itself');
    assert.ok(reqs.every((r) => !String(r.body.prompt).includes('sk-secret-tariff') && !String(r.body.prompt).includes('.env')), 'a secret file never goes');
  });
});
