/**
 * Every message from the webview: validated, then dispatched by an exhaustive
 * switch. Invalid messages are logged without their content and ignored.
 * Pure: the actions are an interface.
 */
import { parseWebviewMessage, type WebviewToHost } from '../../shared/protocol';

type Handler<T extends WebviewToHost['type']> = (m: Extract<WebviewToHost, { type: T }>) => unknown;
export type WebviewActions = { [K in WebviewToHost['type']]: Handler<K> };

function assertNever(x: never): never {
  throw new Error(`unhandled webview message ${(x as { type?: unknown }).type}`);
}

/** A short, content-free description of what arrived, for the log. */
function describe(raw: unknown): string {
  const t = raw && typeof raw === 'object' ? (raw as { type?: unknown }).type : undefined;
  return typeof t === 'string' && /^[A-Za-z]{1,40}$/.test(t) ? `type "${t}"` : `a ${raw === null ? 'null' : typeof raw}`;
}

export async function routeWebviewMessage(raw: unknown, actions: WebviewActions, log: (line: string) => void): Promise<WebviewToHost | undefined> {
  const r = parseWebviewMessage(raw);
  if (!r.ok) {
    // The issue text names a field and a rule, never the value.
    log(`ignored an invalid message from the webview: ${describe(raw)} (${r.error.slice(0, 160)})`);
    return undefined;
  }
  const m = r.value;
  try {
    switch (m.type) {
      case 'ready': await actions.ready(m); break;
      case 'send': await actions.send(m); break;
      case 'cancel': await actions.cancel(m); break;
      case 'newChat': await actions.newChat(m); break;
      case 'regenerate': await actions.regenerate(m); break;
      case 'editLast': await actions.editLast(m); break;
      case 'selectModel': await actions.selectModel(m); break;
      case 'refreshModels': await actions.refreshModels(m); break;
      case 'retryConnection': await actions.retryConnection(m); break;
      case 'openSession': await actions.openSession(m); break;
      case 'deleteSession': await actions.deleteSession(m); break;
      case 'renameSession': await actions.renameSession(m); break;
      case 'exportSession': await actions.exportSession(m); break;
      case 'copy': await actions.copy(m); break;
      case 'insertCode': await actions.insertCode(m); break;
      case 'openInEditor': await actions.openInEditor(m); break;
      case 'openLink': await actions.openLink(m); break;
      case 'openSettings': await actions.openSettings(m); break;
      case 'pullModel': await actions.pullModel(m); break;
      case 'cancelPull': await actions.cancelPull(m); break;
      default: assertNever(m);
    }
  } catch (e) {
    log(`handling "${m.type}" failed: ${e instanceof Error ? e.name + ': ' + e.message.slice(0, 200) : 'unknown error'}`);
  }
  return m;
}
