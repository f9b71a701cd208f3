/**
 * What the conversation core needs from where it runs. VS Code plugs in its
 * editor, clipboard, opener, settings and globalState; the gateway plugs in a
 * browser page's own effects and a preferences file. The core never imports
 * `vscode` or Node: everything platform-shaped comes through these interfaces.
 */
import type { ChatService } from '../gateway/chat/types';
import type { HostCapabilities } from '../shared/protocol';
import type { Session, SessionStore } from '../shared/session';
import type { ApplyOutcome, ApplyRequest } from './apply/target';
import type { ModelState } from './models';
import type { Puller } from './pulls';

/** The part of vscode.Memento the core uses; the gateway has a JSON-file one. */
export interface KeyValueStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): PromiseLike<void>;
}

/** One page's surroundings: what "copy", "open link" and friends mean there. */
export interface Platform {
  /** Editor-only actions exist (insert at cursor, open in editor, apply). */
  readonly editor: boolean;
  /** The page sits under a title bar that has New chat and History (VS Code's view title); a browser tab has none. */
  readonly titleActions: boolean;
  /** The workspace this page works in (a folder URI), if any: sessions belong to it. */
  readonly workspace?: string;
  copy(text: string): Promise<void>;
  insertCode(code: string): Promise<void>;
  openInEditor(code: string, language?: string): Promise<void>;
  /**
   * Proposes a reply's code block as a change to a file (VS Code: a diff the user
   * accepts or rejects). Resolves once the user decided, or with why nothing was proposed.
   */
  applyCode(request: ApplyRequest): Promise<ApplyOutcome>;
  openLink(url: string): Promise<void>;
  openSettings(): Promise<void>;
  exportSession(session: Session): Promise<void>;
}

/** What every conversation of one process shares. */
export interface CoreServices {
  store: SessionStore;
  /** The chat service, created (and its code loaded) on first use. */
  chat(): Promise<ChatService>;
  models: ModelState;
  /** What pulls models; pulling is offered only when `canPull()`. */
  puller(): Puller;
  canPull(): boolean;
  /** Resolves once start-up recovery of interrupted replies has run (snapshots wait for it). */
  ready(): Promise<void>;
  /** Runs before anything talks to the model server (loads the API key). */
  prepare(): Promise<void>;
  /** Small preferences that outlive the process (the last open session per workspace). */
  prefs: KeyValueStore;
  /** Never message content, keys or header values. */
  log(line: string): void;
}

export function capabilitiesOf(platform: Platform, services: CoreServices): HostCapabilities {
  return { editor: platform.editor, pull: services.canPull(), titleActions: platform.titleActions };
}
