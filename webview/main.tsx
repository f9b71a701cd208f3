import { render } from 'preact';
import './styles.css';

render(<div>Hearth</div>, document.getElementById('root')!);
