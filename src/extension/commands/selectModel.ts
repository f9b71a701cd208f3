/**
 * "Hearth: Select Model": a quick pick filled live from the server, with a
 * refresh button. The choice is remembered (ModelState) and shown in the status
 * bar and the chat panel. Called with {model} (or a name) it selects directly.
 */
import * as vscode from 'vscode';
import type { ModelState } from '../../core/models';
import { modelPickItems } from '../models/modelPickItems';

interface Item extends vscode.QuickPickItem {
  model?: string;
}

/** The pick that is open right now, for the test hook. */
export interface OpenModelPick {
  items(): string[];
  accept(model: string): boolean;
}

export class ModelPicker {
  private open: OpenModelPick | undefined;

  constructor(private readonly models: ModelState) {}

  get current(): OpenModelPick | undefined {
    return this.open;
  }

  async run(arg?: unknown): Promise<string | undefined> {
    const direct = typeof arg === 'string' ? arg : arg && typeof arg === 'object' ? (arg as { model?: unknown }).model : undefined;
    if (typeof direct === 'string' && direct.trim() && direct.length <= 500) {
      await this.models.select(direct.trim());
      return direct.trim();
    }
    return this.pick();
  }

  private pick(): Promise<string | undefined> {
    const qp = vscode.window.createQuickPick<Item>();
    qp.title = 'Hearth: Select Model';
    qp.placeholder = 'Models installed on the server';
    const refresh: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('refresh'), tooltip: 'Refresh the model list' };
    qp.buttons = [refresh];
    const fill = () => {
      const conn = this.models.connection;
      if (conn.status === 'unreachable') {
        qp.items = [{ label: `$(warning) Ollama is not reachable at ${conn.url}`, detail: 'Start it (ollama serve) or fix hearth.ollama.url, then press Refresh.', alwaysShow: true }];
        return;
      }
      const items: Item[] = modelPickItems(this.models.models, this.models.selected);
      qp.items = items.length ? items : [{ label: 'No models installed', detail: 'Install one with: ollama pull <model>', alwaysShow: true }];
      const picked = items.find((i) => i.picked);
      if (picked) qp.activeItems = [picked];
    };
    const load = () => {
      qp.busy = true;
      void this.models.refresh().then(() => {
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
      const finish = (model: string | undefined) => {
        if (close()) resolve(model);
      };
      // Closed first: saving the choice updates the panel, which may take focus and would hide the pick.
      const choose = async (model: string) => {
        if (!close()) return;
        await this.models.select(model);
        resolve(model);
      };
      this.open = {
        items: () => qp.items.filter((i) => i.model).map((i) => i.model!),
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
        if (item?.model) void choose(item.model);
        else load(); // the "not reachable" / "none" row: try again
      });
      qp.onDidHide(() => finish(undefined));
      qp.show();
    });
  }
}
