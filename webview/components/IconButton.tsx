import type { JSX } from 'preact';

interface Props {
  icon: string;
  label: string;
  onClick: (e: JSX.TargetedMouseEvent<HTMLButtonElement>) => void;
  disabled?: boolean;
  text?: string;
  class?: string;
}

/** A codicon button; the label is what screen readers and tooltips say. */
export function IconButton({ icon, label, onClick, disabled, text, class: cls }: Props) {
  return (
    <button type="button" class={`icon-button${text ? ' with-text' : ''}${cls ? ` ${cls}` : ''}`} aria-label={label} title={label} onClick={onClick} disabled={disabled}>
      <span class={`codicon codicon-${icon}`} aria-hidden="true" />
      {text && <span class="button-text">{text}</span>}
    </button>
  );
}
