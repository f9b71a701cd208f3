/** The conversation core's platform inside VS Code: the editor, VS Code's clipboard and opener, its settings, the workspace as context. */
import type { Platform, WorkspaceContext } from '../../core/platform';
import type { Log } from '../log';
import * as editor from './editorActions';

export function vscodePlatform(workspace: string | undefined, log: Log, context?: WorkspaceContext): Platform {
  return {
    editor: true,
    ...(context ? { context } : {}),
    ...(workspace ? { workspace } : {}),
    copy: (text) => editor.copyText(text),
    insertCode: async (code) => void (await editor.insertAtCursor(code)),
    openInEditor: (code, language) => editor.openInEditor(code, language),
    openLink: async (url) => void (await editor.openLink(url, log)),
    openSettings: () => editor.openSettings(),
    exportSession: (s) => editor.exportSession(s),
  };
}
