/** How a model shows in the quick pick: name, size, quantization, capabilities, loaded marker. Pure. */
import type { ModelInfo } from '../../shared/models';

export interface ModelPickItem {
  label: string;
  description: string;
  detail: string;
  picked: boolean;
  model: string;
}

export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n <= 0) return '';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v >= 10 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

const SHOWN_CAPABILITIES = ['vision', 'thinking', 'tools'];

export function modelPickItems(models: ModelInfo[], selected: string | undefined): ModelPickItem[] {
  return models.map((m) => {
    const description = [m.parameter_size, m.quantization, formatBytes(m.size)].filter(Boolean).join(' · ');
    const caps = (m.capabilities ?? []).filter((c) => SHOWN_CAPABILITIES.includes(c));
    const detail = [
      m.loaded ? `$(circle-filled) loaded${m.loaded_context_length ? ` (context ${m.loaded_context_length})` : ''}` : '',
      caps.length ? caps.join(', ') : '',
      m.context_length ? `max context ${m.context_length}` : '',
    ]
      .filter(Boolean)
      .join(' · ');
    const isSelected = m.name === selected;
    return { label: `${isSelected ? '$(check) ' : ''}${m.name}`, description, detail, picked: isSelected, model: m.name };
  });
}

/** The model server's models that can embed (`/api/show` capabilities include `embedding`): the embedding model pick. */
export function embeddingPickItems(models: ModelInfo[], selected: string | undefined): ModelPickItem[] {
  return modelPickItems(
    models.filter((m) => m.capabilities?.includes('embedding')),
    selected,
  ).map((i) => ({ ...i, detail: ['embedding', i.detail].filter(Boolean).join(' · ') }));
}
