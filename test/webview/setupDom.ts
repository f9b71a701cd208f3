// A DOM in Node for the webview tests (happy-dom's global registrator).
import { GlobalRegistrator } from '@happy-dom/global-registrator';

GlobalRegistrator.register({ url: 'http://localhost/' });
