/** What the inline-completion status-bar item shows for a state. Pure, so it is unit-tested. */

export type CompletionStatus =
  | { kind: 'off' }
  | { kind: 'offForLanguage'; language: string }
  | { kind: 'snoozed'; untilMs: number; nowMs: number }
  | { kind: 'on'; model?: string }
  | { kind: 'waiting'; model?: string }
  | { kind: 'failing'; message: string; model?: string };

export interface CompletionStatusView {
  text: string;
  /** Markdown. */
  tooltip: string;
  warning: boolean;
}

export function completionStatusView(s: CompletionStatus): CompletionStatusView {
  const click = '\n\nClick for options: turn off, snooze, this language, the model.';
  switch (s.kind) {
    case 'off':
      return { text: '$(circle-slash) Complete', tooltip: `Hearth inline completions are **off**.${click}`, warning: false };
    case 'offForLanguage':
      return { text: '$(circle-slash) Complete', tooltip: `Hearth inline completions are **off for ${s.language}**.${click}`, warning: false };
    case 'snoozed': {
      const min = Math.max(1, Math.ceil((s.untilMs - s.nowMs) / 60_000));
      return { text: `$(clock) Complete ${min}m`, tooltip: `Hearth inline completions are **snoozed** for ${min} more minute${min === 1 ? '' : 's'}.${click}`, warning: false };
    }
    case 'on':
      return { text: '$(sparkle) Complete', tooltip: `Hearth inline completions are **on**${s.model ? ` with \`${s.model}\`` : ''}.${click}`, warning: false };
    case 'waiting':
      return { text: '$(loading~spin) Complete', tooltip: `Hearth is asking ${s.model ? `\`${s.model}\`` : 'the model'} for a completion.${click}`, warning: false };
    case 'failing':
      return { text: '$(warning) Complete', tooltip: `**Hearth inline completions are failing**${s.model ? ` with \`${s.model}\`` : ''}.\n\n${s.message}${click}`, warning: true };
    default: {
      const never: never = s;
      return never;
    }
  }
}
