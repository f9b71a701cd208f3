/**
 * Apply as a reviewable diff. A proposal is the target file as it would be
 * after the block lands; VS Code's diff editor shows the file as it is (left)
 * against the proposal (right, a read-only document of the `hearth-proposal:`
 * scheme). The diff's title bar has Accept and Reject (package.json menus,
 * `resourceScheme == hearth-proposal`), so do the commands hearth.acceptChange
 * and hearth.rejectChange.
 *
 * Accept applies ONE WorkspaceEdit to the real document (a single undo step;
 * the file is not saved). If the file changed since the proposal was made, the
 * proposal is computed again against the file as it is and shown for another
 * review instead of overwriting anything. Reject, or closing the diff, changes
 * nothing. Every proposal settles exactly once.
 */
import * as vscode from 'vscode';
import { minimalEdit, planEdit, type ApplyOutcome, type ApplyRequest, type Region } from '../../core/apply';
import { baseName } from '../../shared/contextRules';
import type { Log } from '../log';
import { resolveTarget } from './targets';

export const PROPOSAL_SCHEME = 'hearth-proposal';
/** Set while a proposal waits for a decision (the palette shows Accept/Reject then). */
export const REVIEWING_CONTEXT = 'hearth.reviewingProposal';

interface Proposal {
  uri: vscode.Uri;
  target: vscode.Uri;
  fileName: string;
  request: ApplyRequest;
  region: Region;
  /** The file text the proposal was computed from. */
  base: string;
  /** The proposed file text. */
  text: string;
  summary: string;
  settle(outcome: ApplyOutcome): void;
  /** An accept is running (a second click must not apply twice). */
  busy: boolean;
}

export function diffTitle(fileName: string): string {
  return `${fileName} ↔ Hearth proposal`;
}

export class ProposalManager implements vscode.Disposable {
  private readonly proposals = new Map<string, Proposal>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  private readonly subs: vscode.Disposable[] = [];
  private seq = 0;

  constructor(private readonly log: Log) {
    this.subs.push(
      this.changed,
      vscode.workspace.registerTextDocumentContentProvider(PROPOSAL_SCHEME, {
        onDidChange: this.changed.event,
        provideTextDocumentContent: (uri) => this.proposals.get(uri.toString())?.text ?? '',
      }),
      // Closing the diff without deciding leaves the file as it is.
      vscode.window.tabGroups.onDidChangeTabs((e) => {
        for (const tab of e.closed) {
          const uri = tab.input instanceof vscode.TabInputTextDiff ? tab.input.modified : undefined;
          const p = uri && this.proposals.get(uri.toString());
          if (p && !p.busy) void this.finish(p, { status: 'dismissed' });
        }
      }),
    );
  }

  /** Open proposals (for tests). */
  get pending(): { uri: string; target: string; text: string; summary: string }[] {
    return [...this.proposals.values()].map((p) => ({ uri: p.uri.toString(), target: p.target.toString(), text: p.text, summary: p.summary }));
  }

  /** Finds the target, plans the edit and opens the diff; resolves once the user decided. */
  async propose(request: ApplyRequest): Promise<ApplyOutcome> {
    const target = await resolveTarget(request, this.log);
    if (!target) return { status: 'dismissed' };
    let doc: vscode.TextDocument;
    try {
      doc = await vscode.workspace.openTextDocument(target.uri);
    } catch (e) {
      return { status: 'failed', message: `Hearth could not open ${baseName(target.uri.path)}: ${e instanceof Error ? e.message : String(e)}. Nothing was changed.` };
    }
    const fileName = baseName(doc.uri.path);
    const base = doc.getText();
    const plan = planEdit({ text: base, code: request.code, info: request.info, region: target.region, fileName });
    if (!plan.ok) return { status: 'failed', message: plan.reason };
    // One review per file: a newer proposal replaces an older one for the same file.
    for (const old of this.proposals.values()) if (old.target.toString() === doc.uri.toString()) await this.finish(old, { status: 'dismissed' });
    const uri = vscode.Uri.from({ scheme: PROPOSAL_SCHEME, path: `/${fileName}`, query: `id=${++this.seq}` });
    const outcome = new Promise<ApplyOutcome>((resolve) => {
      this.proposals.set(uri.toString(), {
        uri,
        target: doc.uri,
        fileName,
        request,
        region: target.region,
        base,
        text: plan.text,
        summary: plan.summary,
        settle: resolve,
        busy: false,
      });
    });
    this.updateContext();
    // Not awaited for the outcome: the user may decide before VS Code reports the diff open.
    void Promise.resolve(vscode.commands.executeCommand('vscode.diff', doc.uri, uri, diffTitle(fileName), { preview: false })).then(
      () => {
        vscode.window.setStatusBarMessage(`$(diff) Hearth: ${plan.summary}`, 10_000);
        this.log(`apply: proposal opened (${plan.how})`);
      },
      (e: unknown) => {
        const p = this.proposals.get(uri.toString());
        if (p) void this.finish(p, { status: 'failed', message: `Hearth could not open the diff: ${e instanceof Error ? e.message : String(e)}. Nothing was changed.` });
      },
    );
    return outcome;
  }

  /** Accept: one WorkspaceEdit on the real document, after checking the file is still what the proposal was made from. */
  async accept(arg?: unknown): Promise<boolean> {
    const p = this.find(arg);
    if (!p) {
      void vscode.window.showInformationMessage('Hearth: there is no proposed change to accept here.');
      return false;
    }
    if (p.busy) return false;
    p.busy = true;
    try {
      const doc = await vscode.workspace.openTextDocument(p.target);
      const now = doc.getText();
      if (now !== p.base) return await this.recheck(p, now);
      const e = minimalEdit(p.base, p.text);
      if (!e) {
        await this.finish(p, { status: 'applied' });
        return true;
      }
      const edit = new vscode.WorkspaceEdit();
      const range = new vscode.Range(doc.positionAt(e.start), doc.positionAt(e.end));
      edit.replace(doc.uri, range, e.text);
      if (!(await vscode.workspace.applyEdit(edit))) {
        void vscode.window.showErrorMessage(`Hearth: VS Code did not apply the change to ${p.fileName}; the file is unchanged.`);
        return false;
      }
      await this.finish(p, { status: 'applied' });
      const start = doc.positionAt(e.start);
      const end = doc.positionAt(e.start + e.text.length);
      await vscode.window.showTextDocument(doc, { preview: false, selection: new vscode.Range(start, end) });
      this.log('apply: proposal accepted');
      return true;
    } finally {
      p.busy = false;
    }
  }

  /** Reject: the file stays as it is. */
  async reject(arg?: unknown): Promise<boolean> {
    const p = this.find(arg);
    if (!p) {
      void vscode.window.showInformationMessage('Hearth: there is no proposed change to reject here.');
      return false;
    }
    if (p.busy) return false;
    await this.finish(p, { status: 'rejected' });
    this.log('apply: proposal rejected');
    return true;
  }

  dispose(): void {
    for (const p of [...this.proposals.values()]) void this.finish(p, { status: 'dismissed' }, true);
    for (const s of this.subs.splice(0)) s.dispose();
    void vscode.commands.executeCommand('setContext', REVIEWING_CONTEXT, false);
  }

  /**
   * The file changed after the proposal was shown (the user typed, a formatter
   * ran, a tool wrote it): the block is placed again on the file as it is now,
   * and the diff shows the new proposal for another review. Nothing is written.
   */
  private async recheck(p: Proposal, now: string): Promise<boolean> {
    const plan = planEdit({ text: now, code: p.request.code, info: p.request.info, region: p.region, fileName: p.fileName });
    if (!plan.ok) {
      void vscode.window.showWarningMessage(`Hearth: ${p.fileName} changed after the proposal was shown, and the block no longer fits: ${plan.reason}`);
      return false;
    }
    p.base = now;
    p.text = plan.text;
    p.summary = plan.summary;
    this.changed.fire(p.uri);
    void vscode.window.showWarningMessage(`Hearth: ${p.fileName} changed after the proposal was shown. Nothing was applied; the proposal now shows the file as it is. Review it and Accept again.`);
    this.log('apply: file changed under the proposal; shown again');
    return false;
  }

  /** The proposal a command means: its argument (the title bar passes the diff's URI), the active diff, or the only one. */
  private find(arg: unknown): Proposal | undefined {
    if (arg instanceof vscode.Uri) {
      const p = this.proposals.get(arg.toString());
      if (p) return p;
    }
    const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    if (input instanceof vscode.TabInputTextDiff) {
      const p = this.proposals.get(input.modified.toString());
      if (p) return p;
    }
    const active = vscode.window.activeTextEditor?.document.uri;
    if (active?.scheme === PROPOSAL_SCHEME) return this.proposals.get(active.toString());
    return this.proposals.size === 1 ? [...this.proposals.values()][0] : undefined;
  }

  /** Settles a proposal once, forgets it and closes its diff. */
  private async finish(p: Proposal, outcome: ApplyOutcome, keepTab = false): Promise<void> {
    if (this.proposals.get(p.uri.toString()) !== p) return;
    this.proposals.delete(p.uri.toString());
    p.settle(outcome);
    this.updateContext();
    if (keepTab) return;
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.toString() === p.uri.toString());
    if (tabs.length) await vscode.window.tabGroups.close(tabs).then(undefined, () => false);
  }

  private updateContext(): void {
    void vscode.commands.executeCommand('setContext', REVIEWING_CONTEXT, this.proposals.size > 0);
  }
}
