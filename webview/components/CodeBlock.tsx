import { useContext } from 'preact/hooks';
import { highlightCode, knownLanguage } from '../markdown/highlight';
import { ActionsContext } from './context';
import { IconButton } from './IconButton';

interface Props {
  code: string;
  lang?: string;
  /** The fence is not closed yet (still streaming). */
  open?: boolean;
}

export function CodeBlock({ code, lang, open }: Props) {
  const actions = useContext(ActionsContext);
  const language = knownLanguage(lang);
  const label = (lang ?? '').trim().split(/\s+/)[0] || 'text';
  return (
    <div class={`code-block${open ? ' code-open' : ''}`}>
      <div class="code-header">
        <span class="code-lang">{label}</span>
        <span class="code-actions">
          <IconButton icon="copy" label="Copy code" onClick={() => actions.post({ type: 'copy', text: code })} />
          {actions.editor && (
            <>
              <IconButton icon="insert" label="Insert at cursor" onClick={() => actions.post({ type: 'insertCode', code })} />
              <IconButton
                icon="go-to-file"
                label="Open in new editor"
                onClick={() => actions.post(language ? { type: 'openInEditor', code, language } : { type: 'openInEditor', code })}
              />
            </>
          )}
        </span>
      </div>
      <pre>
        <code class={`hljs${language ? ` language-${language}` : ''}`}>{highlightCode(code, language)}</code>
      </pre>
    </div>
  );
}
