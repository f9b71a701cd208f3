// A throwaway user-data-dir, extensions-dir and workspace per run, so no state
// (settings, globalState, sessions) leaks from one run into the next.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface Sandbox {
  root: string;
  userDataDir: string;
  extensionsDir: string;
  workspaceDir: string;
  /** Deletes the whole sandbox. */
  dispose(): Promise<void>;
}

/** Settings every run gets; callers add Hearth's own (e.g. the double's URL). */
export const BASE_SETTINGS: Readonly<Record<string, unknown>> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'git.enabled': false,
  'window.restoreWindows': 'none',
};

export async function createSandbox(options: {
  settings?: Record<string, unknown>;
  /** Files to create in the workspace, path relative to it → contents. */
  files?: Record<string, string>;
} = {}): Promise<Sandbox> {
  const root = await mkdtemp(path.join(tmpdir(), 'hearth-vscode-'));
  const userDataDir = path.join(root, 'user');
  const extensionsDir = path.join(root, 'extensions');
  const workspaceDir = path.join(root, 'workspace');
  await mkdir(path.join(userDataDir, 'User'), { recursive: true });
  await mkdir(extensionsDir, { recursive: true });
  await mkdir(workspaceDir, { recursive: true });
  const settings = { ...BASE_SETTINGS, ...options.settings };
  await writeFile(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2) + '\n');
  const files = options.files ?? { 'README.md': '# Hearth test workspace\n' };
  for (const [rel, body] of Object.entries(files)) {
    const file = path.join(workspaceDir, rel);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, body);
  }
  return {
    root,
    userDataDir,
    extensionsDir,
    workspaceDir,
    dispose: () => rm(root, { recursive: true, force: true, maxRetries: 3 }),
  };
}
