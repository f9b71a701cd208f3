export { startGatewayServer, PortInUseError, type GatewayServer, type GatewayServerOptions } from './server';
export { silentLogger, type Logger, type ProviderInfo, type UiHost, type UiStream } from './deps';
export { UI_CSP } from './staticUi';
export type { CodebaseSearch } from './codebaseRoutes';
