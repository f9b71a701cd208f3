import type { ModelInfo } from '../../src/shared/models';
import { formatBytes } from './format';
import { IconButton } from './IconButton';

interface Props {
  models: ModelInfo[];
  selected?: string;
  onSelect(model: string): void;
  onRefresh(): void;
}

/** The model list as Ollama reports it right now; the chosen one may be missing from it. */
export function ModelPicker({ models, selected, onSelect, onRefresh }: Props) {
  const missing = selected && !models.some((m) => m.name === selected);
  return (
    <div class="model-picker">
      <select
        class="model-select"
        aria-label="Model"
        value={selected ?? ''}
        disabled={models.length === 0 && !selected}
        onChange={(e) => {
          const v = e.currentTarget.value;
          if (v) onSelect(v);
        }}
      >
        {!selected && <option value="">{models.length ? 'Choose a model' : 'No models'}</option>}
        {missing && <option value={selected}>{selected} (not installed)</option>}
        {models.map((m) => (
          <option value={m.name} title={[m.parameter_size, m.quantization, formatBytes(m.size)].filter(Boolean).join(' · ')}>
            {m.name}
          </option>
        ))}
      </select>
      <IconButton icon="refresh" label="Refresh models" onClick={onRefresh} />
    </div>
  );
}
