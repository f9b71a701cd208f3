/**
 * Settings as VS Code holds them: read and validated (settings.ts), re-read live
 * on every change, with a clear warning for invalid values.
 */
import * as vscode from 'vscode';
import { CONNECTION_KEYS, readSettings, type HearthSettings } from './settings';
import { Emitter } from '../core/emitter';
import type { Log } from './log';

export interface SettingsChange {
  settings: HearthSettings;
  /** URL, headers or provider changed: a new engine is needed. */
  connectionChanged: boolean;
  modelChanged: boolean;
}

export class SettingsService implements vscode.Disposable {
  private value: HearthSettings;
  private lastProblems = '';
  private readonly sub: vscode.Disposable;
  readonly onDidChange = new Emitter<SettingsChange>();

  constructor(private readonly log: Log) {
    this.value = this.read();
    this.sub = vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('hearth')) return;
      this.value = this.read();
      this.onDidChange.fire({
        settings: this.value,
        connectionChanged: CONNECTION_KEYS.some((k) => e.affectsConfiguration(`hearth.${k}`)),
        modelChanged: e.affectsConfiguration('hearth.model'),
      });
    });
  }

  get current(): HearthSettings {
    return this.value;
  }

  /** Writes hearth.model where it is set (workspace or user). */
  async writeModel(name: string): Promise<void> {
    await this.writeWhereSet('model', name);
  }

  /** hearth.codebase.embeddingModel; '' turns search by meaning off. */
  async writeEmbeddingModel(name: string): Promise<void> {
    await this.writeWhereSet('codebase.embeddingModel', name);
  }

  /** Written where it is set now (a folder's or the workspace's value would hide a user-level one), else for the user. */
  private async writeWhereSet(key: string, value: string): Promise<void> {
    const cfg = vscode.workspace.getConfiguration('hearth');
    const inspect = cfg.inspect<string>(key);
    const target = inspect?.workspaceFolderValue !== undefined
      ? vscode.ConfigurationTarget.WorkspaceFolder
      : inspect?.workspaceValue !== undefined
        ? vscode.ConfigurationTarget.Workspace
        : vscode.ConfigurationTarget.Global;
    await cfg.update(key, value, target);
  }

  dispose(): void {
    this.sub.dispose();
    this.onDidChange.dispose();
  }

  private read(): HearthSettings {
    const cfg = vscode.workspace.getConfiguration('hearth');
    const { settings, problems } = readSettings({ get: (key) => cfg.get(key) });
    const joined = problems.join('\n');
    if (joined && joined !== this.lastProblems) {
      for (const p of problems) this.log(`settings: ${p}`);
      // Shown once per distinct set of problems, not on every unrelated change.
      void vscode.window
        .showWarningMessage(`Hearth: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more; see the Hearth output)` : ''}`, 'Open Settings')
        .then((choice) => {
          if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', 'hearth');
        });
    }
    this.lastProblems = joined;
    return settings;
  }
}
