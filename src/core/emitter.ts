/** The emitter lives in shared (the session stores below the core fire events too); re-exported for the core's users. */
export { Emitter, type Listener } from '../shared/emitter';
