/** The status bar item: model name, a spinner while a reply streams, a warning when Ollama is unreachable. */
import * as vscode from 'vscode';
import { statusBarView, type StatusBarState } from './statusBarView';

export class ModelStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;

  constructor() {
    this.item = vscode.window.createStatusBarItem('hearth.model', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'Hearth Model';
    this.item.command = 'hearth.selectModel';
  }

  update(state: StatusBarState): void {
    const v = statusBarView(state);
    this.item.text = v.text;
    const tip = new vscode.MarkdownString(v.tooltip);
    this.item.tooltip = tip;
    this.item.backgroundColor = v.warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.accessibilityInformation = { label: v.text.replace(/\$\([^)]*\)\s*/g, ''), role: 'button' };
    this.item.show();
  }

  /** For the test hook. */
  get text(): string {
    return this.item.text;
  }

  get warning(): boolean {
    return this.item.backgroundColor !== undefined;
  }

  dispose(): void {
    this.item.dispose();
  }
}
