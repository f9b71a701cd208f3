/** Reasoning of thinking models: collapsed, apart from the answer, plain text. */
export function Thinking({ text, active }: { text: string; active: boolean }) {
  return (
    <details class="thinking">
      <summary>
        <span class="codicon codicon-lightbulb" aria-hidden="true" /> {active ? 'Thinking…' : 'Thoughts'}
      </summary>
      <div class="thinking-text">{text}</div>
    </details>
  );
}
