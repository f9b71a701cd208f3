// `npm run test:vscode`: the real-VS-Code test tiers. Thin entry: the runner is
// TypeScript (scripts/vscode-host/main.ts, shared with the e2e harness), loaded
// as CommonJS through tsx, exactly as mocha loads the e2e suites.
// Options: --integration | --e2e (one tier), --grep TEXT, --no-build,
// --timeout-min N. See test/README.md.
import { createRequire } from 'node:module';
import { register } from 'tsx/cjs/api';

register();
createRequire(import.meta.url)('./vscode-host/main.ts');
