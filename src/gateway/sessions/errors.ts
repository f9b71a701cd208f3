/** Why a session-store operation was refused; the HTTP layer maps `code` to a status. */
export type StoreErrorCode = 'session_not_found' | 'message_not_found' | 'duplicate_message' | 'session_exists' | 'invalid_id';

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

export function isStoreError(e: unknown, code?: StoreErrorCode): e is StoreError {
  return e instanceof StoreError && (code === undefined || e.code === code);
}
