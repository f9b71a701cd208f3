/**
 * "Hearth: Select Embedding Model": in the model picker's style (liveModelPick.ts),
 * the installed models whose /api/show capabilities include `embedding`, plus
 * "None" (lexical search only). The choice is written to
 * hearth.codebase.embeddingModel; the codebase index then embeds its chunks in
 * the background (codebase/embeddings.ts). Called with a name (or {model}) it
 * sets it directly; '' turns it off.
 */
import type { ModelState } from '../../core/models';
import { embeddingPickItems } from '../models/modelPickItems';
import { directModel, LiveModelPick, unreachableRow, type LiveModelPickItem, type OpenModelPick } from './liveModelPick';

export interface EmbeddingPickerDeps {
  models: ModelState;
  current(): string | undefined;
  write(model: string): Promise<void>;
  /** The provider can embed (Ollama); otherwise the pick says so. */
  canEmbed(): boolean;
}

export class EmbeddingModelPicker {
  private readonly pick = new LiveModelPick();

  constructor(private readonly d: EmbeddingPickerDeps) {}

  /** The open pick's choosable models ('' is None), for the test hook. */
  get current(): OpenModelPick | undefined {
    return this.pick.current;
  }

  async run(arg?: unknown): Promise<string | undefined> {
    const direct = directModel(arg);
    if (direct !== undefined) {
      await this.d.write(direct.trim());
      return direct.trim();
    }
    return this.pick.show({
      title: 'Hearth: Select Embedding Model',
      placeholder: 'Search the codebase by meaning too (installed models that can embed)',
      refresh: () => this.d.models.refresh(),
      rows: () => this.rows(),
      choose: (model) => this.d.write(model),
    });
  }

  private rows(): { items: LiveModelPickItem[]; active?: LiveModelPickItem } {
    const selected = this.d.current();
    const none: LiveModelPickItem = { label: `${selected ? '' : '$(check) '}None`, description: 'lexical search only', detail: '@codebase needs no model: it searches words, names and paths.', model: '' };
    if (!this.d.canEmbed()) {
      return { items: [none, { label: '$(info) Only an Ollama server embeds', detail: 'hearth.provider is not "ollama": @codebase searches lexically.', alwaysShow: true }] };
    }
    const conn = this.d.models.connection;
    if (conn.status === 'unreachable') return { items: [none, unreachableRow(conn.url)] };
    const items: LiveModelPickItem[] = embeddingPickItems(this.d.models.models, selected);
    return {
      items: items.length
        ? [none, ...items]
        : [none, { label: 'No embedding model installed', detail: 'Install one with: ollama pull nomic-embed-text (or all-minilm), then press Refresh.', alwaysShow: true }],
      active: items.find((i) => i.model === selected) ?? (selected ? undefined : none),
    };
  }
}
