/** Why the chat service refused a request; the HTTP layer maps `code` to a status. */
export type ChatErrorCode = 'not_found' | 'conflict' | 'bad_request' | 'disposed' | 'replay_gap';

export class ChatError extends Error {
  constructor(
    readonly code: ChatErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ChatError';
  }
}

export function isChatError(e: unknown, code?: ChatErrorCode): e is ChatError {
  return e instanceof ChatError && (code === undefined || e.code === code);
}
