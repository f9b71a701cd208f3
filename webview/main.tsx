import '@vscode/codicons/dist/codicon.css';
import { render } from 'preact';
import { App } from './components/App';
import { Root } from './components/Root';
import { createHost } from './host/createHost';
import { Store } from './state/store';
import './styles.css';
import './context.css';

const host = createHost();
const store = new Store();
render(
  <Root>
    <App host={host} store={store} />
  </Root>,
  document.getElementById('root')!,
);
