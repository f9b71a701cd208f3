/** The conversation core's platform inside VS Code: the editor, VS Code's clipboard and opener, its settings, the workspace as context, apply as a diff. */
import type { ApplyOutcome, ApplyRequest } from '../../core/apply';
import type { Platform, WorkspaceContext } from '../../core/platform';
import type { Log } from '../log';
import * as editor from './editorActions';

export function vscodePlatform(
  workspace: string | undefined,
  log: Log,
  proposals: { propose(request: ApplyRequest): Promise<ApplyOutcome> },
  context?: WorkspaceContext,
): Platform {
  return {
    editor: true,
    // package.json contributes New Chat and Show History to the view's title (view/title).
    titleActions: true,
    ...(context ? { context } : {}),
    ...(workspace ? { workspace } : {}),
    copy: (text) => editor.copyText(text),
    insertCode: async (code) => void (await editor.insertAtCursor(code)),
    openInEditor: (code, language) => editor.openInEditor(code, language),
    applyCode: (request) => proposals.propose(request),
    openLink: async (url) => void (await editor.openLink(url, log)),
    openSettings: () => editor.openSettings(),
    exportSession: (s) => editor.exportSession(s),
  };
}
