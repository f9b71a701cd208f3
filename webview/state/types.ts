import type { Phase } from '../../src/shared/events';
import type { ModelInfo, PullProgress } from '../../src/shared/models';
import { DEFAULT_MAX_FILE_KB } from '../../src/shared/contextRules';
import type { ConnectionState, ContextState, HostCapabilities } from '../../src/shared/protocol';
import type { Attachment, Session, SessionSummary } from '../../src/shared/session';

export interface StreamingState {
  sessionId: string;
  messageId: string;
  phase?: Phase;
  /** Local clock (ms) at which the turn started, for the live elapsed time. */
  startedAt: number;
}

export interface PullState {
  model: string;
  progress?: PullProgress;
  active: boolean;
  error?: string;
}

export interface Notice {
  id: number;
  level: 'info' | 'warning' | 'error';
  message: string;
}

export interface AppState {
  /** False until the first snapshot arrives. */
  ready: boolean;
  sessions: SessionSummary[];
  current: Session | null;
  models: ModelInfo[];
  selectedModel?: string;
  connection: ConnectionState;
  streaming?: StreamingState;
  workspace?: string;
  capabilities: HostCapabilities;
  pull?: PullState;
  notices: Notice[];
  /** Bumped whenever the host asks to focus the input. */
  focus: { seq: number; prefill?: string };
  /** Bumped whenever the host asks to show the history list. */
  historySeq: number;
  /** The chips of the question being written. */
  attachments: Attachment[];
  /** Counting and offering context (settings, the editor's current file). */
  context: ContextState;
}

export const DEFAULT_CONTEXT_STATE: ContextState = { contextLength: 0, reservedTokens: 0, maxFileKB: DEFAULT_MAX_FILE_KB, workspace: false, includeCurrentFile: false };

export function initialState(): AppState {
  return {
    ready: false,
    sessions: [],
    current: null,
    models: [],
    connection: { status: 'unknown', url: '' },
    capabilities: { editor: false, pull: false },
    notices: [],
    focus: { seq: 0 },
    historySeq: 0,
    attachments: [],
    context: DEFAULT_CONTEXT_STATE,
  };
}
