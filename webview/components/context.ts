import { createContext } from 'preact';
import type { WebviewToHost } from '../../src/shared/protocol';
import type { LocalAction } from '../state/reducer';

/** What components may do: talk to the host, update local UI state. */
export interface AppActions {
  post(message: WebviewToHost): void;
  local(action: LocalAction): void;
  /** Insert at cursor / open in editor exist (VS Code only). */
  editor: boolean;
}

export const ActionsContext = createContext<AppActions>({
  post: () => undefined,
  local: () => undefined,
  editor: false,
});
