/**
 * "Hearth: Select Model": a quick pick filled live from the server, with a
 * refresh button (liveModelPick.ts). The choice is remembered (ModelState) and
 * shown in the status bar and the chat panel. Called with {model} (or a name)
 * it selects directly.
 */
import type { ModelState } from '../../core/models';
import { modelPickItems } from '../models/modelPickItems';
import { directModel, LiveModelPick, unreachableRow, type LiveModelPickItem, type OpenModelPick } from './liveModelPick';

export class ModelPicker {
  private readonly pick = new LiveModelPick();

  constructor(private readonly models: ModelState) {}

  get current(): OpenModelPick | undefined {
    return this.pick.current;
  }

  async run(arg?: unknown): Promise<string | undefined> {
    const direct = directModel(arg)?.trim();
    if (direct) {
      await this.models.select(direct);
      return direct;
    }
    return this.pick.show({
      title: 'Hearth: Select Model',
      placeholder: 'Models installed on the server',
      refresh: () => this.models.refresh(),
      rows: () => {
        const conn = this.models.connection;
        if (conn.status === 'unreachable') return { items: [unreachableRow(conn.url)] };
        const items: LiveModelPickItem[] = modelPickItems(this.models.models, this.models.selected);
        return {
          items: items.length ? items : [{ label: 'No models installed', detail: 'Install one with: ollama pull <model>', alwaysShow: true }],
          active: items.find((i) => i.picked),
        };
      },
      choose: (model) => this.models.select(model),
    });
  }
}
