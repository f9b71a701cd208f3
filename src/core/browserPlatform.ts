/**
 * A browser tab's surroundings (the gateway's chat page). It has no editor and
 * the gateway cannot reach the page's clipboard, downloads or tabs, so those are
 * asked of the page itself (`pageEffect`); the page's transport carries them out.
 */
import { exportFileName, sessionToMarkdown } from '../shared/exportMarkdown';
import { allowedExternalUrl } from '../shared/links';
import { GATEWAY_ENV, SETTINGS } from '../shared/settingsTable';
import type { HostToWebview, PageEffect } from '../shared/protocol';
import type { Platform, WorkspaceContext } from './platform';

export interface BrowserPlatformOptions {
  /** To this page only. */
  post: (m: HostToWebview) => void;
  /** What "settings" means where this gateway runs (environment variables, or VS Code's settings). */
  settingsHelp: string;
  /** The page's `@` picker (`@codebase` over the gateway's index: src/core/browserContext.ts); absent: none. */
  context?: WorkspaceContext;
}

export function browserPlatform(opts: BrowserPlatformOptions): Platform {
  const effect = (e: PageEffect) => opts.post({ type: 'pageEffect', effect: e });
  const info = (message: string) => opts.post({ type: 'notice', level: 'info', message });
  const editorOnly = async () => info('Inserting into an editor is only available inside VS Code: use Copy here.');
  return {
    editor: false,
    titleActions: false,
    copy: async (text) => effect({ kind: 'copy', text }),
    insertCode: editorOnly,
    openInEditor: editorOnly,
    // The page offers Copy only (capabilities.editor is false); a page that asks anyway is told why.
    applyCode: async () => ({ status: 'failed', message: 'Applying code needs a workspace: it works in Hearth inside VS Code. Use Copy here.' }),
    openLink: async (url) => {
      const u = allowedExternalUrl(url);
      if (!u) return info('Hearth only opens http, https and mailto links.');
      effect({ kind: 'openUrl', url: u.toString() });
    },
    openSettings: async () => info(opts.settingsHelp),
    exportSession: async (s) => effect({ kind: 'download', fileName: exportFileName(s), text: sessionToMarkdown(s) }),
    ...(opts.context ? { context: opts.context } : {}),
  };
}

/** The settings note of the standalone gateway. */
export const STANDALONE_SETTINGS_HELP = `The standalone gateway is configured by environment variables: ${[
  ...SETTINGS.flatMap((r) => ('env' in r ? [r.env.name === 'OLLAMA_HOST' ? 'OLLAMA_HOST (server URL)' : r.env.name] : [])),
  ...GATEWAY_ENV.map((r) => r.name),
].join(', ')}. Restart it after a change.`;
