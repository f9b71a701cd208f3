/** The "Hearth" output channel. Lines never carry message text, keys or header values. */
import * as vscode from 'vscode';

export type Log = (line: string) => void;

export function createLog(channel: vscode.OutputChannel): Log {
  return (line) => channel.appendLine(`[${new Date().toISOString()}] ${line}`);
}
