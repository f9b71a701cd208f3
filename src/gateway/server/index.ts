export { startGatewayServer, PortInUseError, type GatewayServer, type GatewayServerOptions } from './server';
export type { Logger, ProviderInfo } from './deps';
export { UI_CSP } from './staticUi';
