/** What the status bar item shows for a state. Pure, so it is unit-tested. */
import type { ConnectionState } from '../shared/protocol';

export interface StatusBarState {
  model: string | undefined;
  streaming: boolean;
  connection: ConnectionState;
}

export interface StatusBarView {
  text: string;
  /** Markdown. */
  tooltip: string;
  warning: boolean;
}

export function statusBarView(s: StatusBarState): StatusBarView {
  const name = s.model ?? 'No model';
  if (s.connection.status === 'unreachable') {
    return {
      text: `$(warning) ${name}`,
      warning: true,
      tooltip: [
        `**${s.connection.server ?? 'The model server'} is not reachable** at \`${s.connection.url}\`.`,
        '',
        s.connection.error,
        ...(s.connection.startHint && !s.connection.error.includes(s.connection.startHint) ? ['', `- ${s.connection.startHint.charAt(0).toUpperCase()}${s.connection.startHint.slice(1)}.`] : []),
        '',
        '- Or point `hearth.ollama.url` at the right server.',
        '',
        'Click to retry and pick a model.',
      ].join('\n'),
    };
  }
  if (s.streaming) return { text: `$(loading~spin) ${name}`, warning: false, tooltip: `Hearth: ${name} is replying. Click to pick a model.` };
  return {
    text: `$(hubot) ${name}`,
    warning: false,
    tooltip: s.model ? `Hearth model: ${name}. Click to pick another.` : 'Hearth: no model selected. Click to pick one.',
  };
}
