/**
 * What the conversation core needs from where it runs. VS Code plugs in its
 * editor, clipboard, opener, settings and globalState; the gateway plugs in a
 * browser page's own effects and a preferences file. The core never imports
 * `vscode` or Node: everything platform-shaped comes through these interfaces.
 */
import type { ChatService } from '../gateway/chat/types';
import type { ContextCandidate, ContextState, HostCapabilities } from '../shared/protocol';
import type { Attachment, Session, SessionStore } from '../shared/session';
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
  /** The workspace as a source of attachments: VS Code's files, problems, selection…; a browser tab's `@codebase` (its gateway's index). Absent: no `@` picker. */
  readonly context?: WorkspaceContext;
}

/** An answer that is either what was asked for or a sentence saying why not. */
export type ContextResult = { attachments: Attachment[] } | { error: string };

/**
 * Workspace files, problems and the selection as attachments (VS Code). Only
 * what this object offered (`search`, the current file) or read itself can be
 * added, and only files the user chose are read again at send time.
 */
export interface WorkspaceContext {
  /**
   * The page attaches files it reads itself (a browser tab: its attach button);
   * the workspace's own files are not offered. Absent or false: VS Code.
   */
  readonly pageFiles?: boolean;
  /** The part of the composer's context state that comes from the editor; `mentions` when the picker offers only those words. */
  state(): Pick<ContextState, 'includeCurrentFile' | 'currentFile' | 'indexing' | 'mentions'>;
  /** Fires when that state (or a setting it depends on) changes; returns the unsubscribe function. */
  onDidChange(listener: () => void): () => void;
  /** The `@` picker's rows for what was typed after the `@`. */
  search(query: string): Promise<ContextCandidate[]>;
  /** Reads what `search` (or the current file) offered under `id`. */
  resolve(id: string): Promise<ContextResult>;
  /**
   * Just before a send: the chips as their files are now (changed files are sent
   * as they are at send time), with chips that stand for a search of the
   * question (`@codebase`, or its setting) replaced by what it found.
   */
  refresh(attachments: Attachment[], question: string): Promise<ContextResult>;
  /** Opens a chip's file at its lines. */
  open(uri: string, range?: { startLine: number; endLine: number }): Promise<void>;
}

/** What fitting a question needs from the settings of the process. */
export interface FitSettings {
  /** hearth.contextLength (0 = the model's own). */
  contextLength: number;
  /** Tokens of the system prompt, spent before every question. */
  reservedTokens: number;
  /** Size cap for files a page reads itself. */
  maxFileKB: number;
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
  /** The settings fitting depends on; defaults (the model's own window, no system prompt, 256 KB) when absent. */
  fitSettings?(): FitSettings;
}

export function capabilitiesOf(platform: Platform, services: CoreServices): HostCapabilities {
  return { editor: platform.editor, pull: services.canPull(), titleActions: platform.titleActions };
}
