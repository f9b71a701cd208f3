import { createContext } from 'preact';
import type { ApplyState } from '../../src/shared/codeBlocks';
import type { WebviewToHost } from '../../src/shared/protocol';
import type { ChatMessage } from '../../src/shared/session';
import type { LocalAction } from '../state/reducer';

/** What components may do: talk to the host, update local UI state. */
export interface AppActions {
  post(message: WebviewToHost): void;
  /** Applies a reply's code block (a request: a failure is said as a notice). */
  apply(messageId: string, code: string): Promise<void>;
  local(action: LocalAction): void;
  /** Insert at cursor / open in editor / apply exist (VS Code only). */
  editor: boolean;
}

export const ActionsContext = createContext<AppActions>({
  post: () => undefined,
  apply: async () => undefined,
  local: () => undefined,
  editor: false,
});

/** The reply a code block belongs to (Apply names it) and what became of its blocks; unset outside replies. */
export interface ReplyInfo {
  messageId: string;
  applied?: Record<string, ApplyState>;
}

export const ReplyContext = createContext<ReplyInfo | undefined>(undefined);

/**
 * The clock MarkdownBlocks times each lexer call with (a call over SLOW_LEX_MS shows its
 * open block plain). Tests give the page their own clock, so what renders never depends
 * on how busy the machine running them is.
 */
export const LexClockContext = createContext<() => number>(() => performance.now());

/**
 * The messages as the store holds them now. Streamed text is painted without
 * re-rendering the app: the streaming message subscribes here and reads its own text.
 */
export interface LiveMessages {
  get(messageId: string): ChatMessage | undefined;
  /** Told on every paint, streamed text included. */
  subscribe(listener: () => void): () => void;
}

export const LiveMessagesContext = createContext<LiveMessages | undefined>(undefined);

/** Keeps the view at the newest text if the user has not scrolled away (the message list provides it). */
export const FollowContext = createContext<() => void>(() => undefined);
