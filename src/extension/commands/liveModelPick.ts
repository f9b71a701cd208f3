/**
 * The quick pick both model commands share (Select Model, Select Embedding
 * Model): shown at once with what ModelState knows, then filled again from the
 * server (busy meanwhile; again on Refresh, or on accepting a row that only
 * explains), closed before the choice is saved. Each command gives only its
 * rows and what choosing does.
 */
import * as vscode from 'vscode';

export interface LiveModelPickItem extends vscode.QuickPickItem {
  /** The model choosing this row gives ('' may stand for none); absent on rows that only explain. */
  model?: string;
}

/** The pick that is open right now, for the test hook. */
export interface OpenModelPick {
  items(): string[];
  accept(model: string): boolean;
}

export interface LiveModelPickSpec {
  title: string;
  placeholder: string;
  /** Asks the server again (ModelState.refresh); `rows()` is read when it settles. */
  refresh(): Promise<void>;
  /** The rows as things are now, and the one to make active. */
  rows(): { items: LiveModelPickItem[]; active?: LiveModelPickItem };
  /** Saves the choice (the pick is already closed). */
  choose(model: string): Promise<void>;
}

/** A name given to the command directly (a string or {model}), not yet trimmed; undefined when there is none. */
export function directModel(arg: unknown): string | undefined {
  const direct = typeof arg === 'string' ? arg : arg && typeof arg === 'object' ? (arg as { model?: unknown }).model : undefined;
  return typeof direct === 'string' && direct.length <= 500 ? direct : undefined;
}

/** The row shown instead of models when the server does not answer. */
export function unreachableRow(url: string): LiveModelPickItem {
  return { label: `$(warning) Ollama is not reachable at ${url}`, detail: 'Start it (ollama serve) or fix hearth.ollama.url, then press Refresh.', alwaysShow: true };
}

export class LiveModelPick {
  private open: OpenModelPick | undefined;

  /** The open pick (undefined when none is), for the test hook. */
  get current(): OpenModelPick | undefined {
    return this.open;
  }

  /** Resolves with the chosen model once it is saved, or undefined when the pick is closed without one. */
  show(spec: LiveModelPickSpec): Promise<string | undefined> {
    const qp = vscode.window.createQuickPick<LiveModelPickItem>();
    qp.title = spec.title;
    qp.placeholder = spec.placeholder;
    const refresh: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('refresh'), tooltip: 'Refresh the model list' };
    qp.buttons = [refresh];
    const fill = () => {
      const { items, active } = spec.rows();
      qp.items = items;
      if (active) qp.activeItems = [active];
    };
    const load = () => {
      qp.busy = true;
      void spec.refresh().then(() => {
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
      // Closed first: saving the choice updates the panel, which may take focus and would hide the pick.
      const choose = async (model: string) => {
        if (!close()) return;
        await spec.choose(model);
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
        else load(); // a row that only explains (not reachable, none installed): try again
      });
      qp.onDidHide(() => {
        if (close()) resolve(undefined);
      });
      qp.show();
    });
  }
}
