/**
 * "Hearth: Select Embedding Model": in the model picker's style, the installed
 * models whose /api/show capabilities include `embedding`, plus "None" (lexical
 * search only). The choice is written to hearth.codebase.embeddingModel; the
 * codebase index then embeds its chunks in the background (codebase/embeddings.ts).
 * Called with a name (or {model}) it sets it directly; '' turns it off.
 */
import * as vscode from 'vscode';
import type { ModelState } from '../../core/models';
import { embeddingPickItems } from '../models/modelPickItems';

interface Item extends vscode.QuickPickItem {
  /** The model to write; '' for none. Absent on rows that only explain. */
  model?: string;
}

export interface EmbeddingPickerDeps {
  models: ModelState;
  current(): string | undefined;
  write(model: string): Promise<void>;
  /** The provider can embed (Ollama); otherwise the pick says so. */
  canEmbed(): boolean;
}

export class EmbeddingModelPicker {
  private open: { items(): string[]; accept(model: string): boolean } | undefined;

  constructor(private readonly d: EmbeddingPickerDeps) {}

  /** The open pick's choosable models ('' is None), for the test hook. */
  get current(): { items(): string[]; accept(model: string): boolean } | undefined {
    return this.open;
  }

  async run(arg?: unknown): Promise<string | undefined> {
    const direct = typeof arg === 'string' ? arg : arg && typeof arg === 'object' ? (arg as { model?: unknown }).model : undefined;
    if (typeof direct === 'string' && direct.length <= 500) {
      await this.d.write(direct.trim());
      return direct.trim();
    }
    return this.pick();
  }

  private pick(): Promise<string | undefined> {
    const qp = vscode.window.createQuickPick<Item>();
    qp.title = 'Hearth: Select Embedding Model';
    qp.placeholder = 'Search the codebase by meaning too (installed models that can embed)';
    const refresh: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('refresh'), tooltip: 'Refresh the model list' };
    qp.buttons = [refresh];
    const fill = () => {
      const selected = this.d.current();
      const none: Item = { label: `${selected ? '' : '$(check) '}None`, description: 'lexical search only', detail: '@codebase needs no model: it searches words, names and paths.', model: '' };
      if (!this.d.canEmbed()) {
        qp.items = [none, { label: '$(info) Only an Ollama server embeds', detail: 'hearth.provider is not "ollama": @codebase searches lexically.', alwaysShow: true }];
        return;
      }
      const conn = this.d.models.connection;
      if (conn.status === 'unreachable') {
        qp.items = [none, { label: `$(warning) Ollama is not reachable at ${conn.url}`, detail: 'Start it (ollama serve) or fix hearth.ollama.url, then press Refresh.', alwaysShow: true }];
        return;
      }
      const items: Item[] = embeddingPickItems(this.d.models.models, selected);
      qp.items = items.length
        ? [none, ...items]
        : [none, { label: 'No embedding model installed', detail: 'Install one with: ollama pull nomic-embed-text (or all-minilm), then press Refresh.', alwaysShow: true }];
      const picked = items.find((i) => i.model === selected) ?? (selected ? undefined : none);
      if (picked) qp.activeItems = [picked];
    };
    const load = () => {
      qp.busy = true;
      void this.d.models.refresh().then(() => {
        qp.busy = false;
        fill();
      });
    };
    fill();
    load();
    return new Promise((resolve) => {
      let done = false;
      const close = (): boolean => {
        if (done) return false;
        done = true;
        this.open = undefined;
        qp.dispose();
        return true;
      };
      const choose = async (model: string) => {
        if (!close()) return;
        await this.d.write(model);
        resolve(model);
      };
      this.open = {
        items: () => qp.items.filter((i) => i.model !== undefined).map((i) => i.model!),
        accept: (model) => {
          if (!qp.items.some((i) => i.model === model)) return false;
          void choose(model);
          return true;
        },
      };
      qp.onDidTriggerButton((b) => {
        if (b === refresh) load();
      });
      qp.onDidAccept(() => {
        const item = qp.selectedItems[0] ?? qp.activeItems[0];
        if (item?.model !== undefined) void choose(item.model);
        else load();
      });
      qp.onDidHide(() => {
        if (close()) resolve(undefined);
      });
      qp.show();
    });
  }
}
