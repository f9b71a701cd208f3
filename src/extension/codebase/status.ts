/** The codebase status and its wording: shared with the browser's `@codebase` (src/shared/codebase/status.ts). */
export { progressLabel, type CodebaseStatus } from '../../shared/codebase/status';
