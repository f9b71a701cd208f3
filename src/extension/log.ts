/** The "Hearth" output channel. Lines never carry message text, keys or header values. */
import type * as vscode from 'vscode';

export type Log = (line: string) => void;

export function createLog(channel: Pick<vscode.OutputChannel, 'appendLine'>): Log {
  return (line) => {
    try {
      channel.appendLine(`[${new Date().toISOString()}] ${line}`);
    } catch {
      // VS Code disposes the channel while deactivate()'s final writes still run;
      // a log line must never turn a clean shutdown into a failed one.
    }
  };
}
