import { Component } from 'preact';
import { useContext, useRef } from 'preact/hooks';
import { MarkdownBlocks, type Block } from '../markdown/blocks';
import { lexMarkdown } from '../markdown/lexer';
import { PlainText, renderBlock } from '../markdown/render';
import { LexClockContext } from './context';

/** Blocks are grouped so a long answer diffs a few dozen groups per frame, not thousands of blocks. */
const CHUNK = 32;

function sameBlock(a: Block, b: Block): boolean {
  return a === b || (a.raw === b.raw && a.offset === b.offset && a.open === b.open);
}

/**
 * One block of a message. It re-renders only when its own text changes, so a
 * finished block is turned into vnodes (and highlighted) once, not per frame.
 * It is also the block's error boundary: if turning it into vnodes, or rendering
 * them, throws, the block shows its text plain and the rest of the message renders.
 */
export class MdBlock extends Component<{ block: Block }, { failed?: { open: boolean } }> {
  override componentDidCatch(error: unknown): void {
    // Remembers the state it failed in: a block that fails while open is tried once more when it finishes.
    this.setState({ failed: { open: this.props.block.open } });
    console.error('Hearth: a markdown block failed to render; showing it as plain text.', error);
  }
  override shouldComponentUpdate(next: { block: Block }, nextState: { failed?: { open: boolean } }): boolean {
    return !sameBlock(this.props.block, next.block) || nextState.failed !== this.state.failed;
  }
  override render() {
    const { block } = this.props;
    const failed = this.state.failed;
    if (failed && failed.open === block.open) return <PlainText text={block.raw} reason="error" />;
    try {
      return renderBlock(block.token, block.open);
    } catch (error) {
      console.error('Hearth: a markdown block failed to render; showing it as plain text.', error);
      return <PlainText text={block.raw} reason="error" />;
    }
  }
}

/** A run of blocks; a full run of finished blocks never re-renders. */
class MdChunk extends Component<{ blocks: Block[] }> {
  override shouldComponentUpdate(next: { blocks: Block[] }): boolean {
    const a = this.props.blocks;
    const b = next.blocks;
    if (a.length !== b.length) return true;
    for (let i = 0; i < a.length; i++) if (!sameBlock(a[i]!, b[i]!)) return true;
    return false;
  }
  override render() {
    return (
      <div class="md-chunk">
        {this.props.blocks.map((b) => (
          <MdBlock key={b.offset} block={b} />
        ))}
      </div>
    );
  }
}

export function Markdown({ text, streaming }: { text: string; streaming: boolean }) {
  const clock = useContext(LexClockContext);
  const blocks = useRef<MarkdownBlocks | null>(null);
  if (!blocks.current) blocks.current = new MarkdownBlocks(lexMarkdown, clock);
  const all = streaming ? blocks.current.update(text) : blocks.current.finish(text);
  const visible = all.filter((b) => b.token.type !== 'space' && b.token.type !== 'def');
  const chunks: Block[][] = [];
  for (let i = 0; i < visible.length; i += CHUNK) chunks.push(visible.slice(i, i + CHUNK));
  return (
    <div class="md">
      {chunks.map((c, i) => (
        <MdChunk key={i} blocks={c} />
      ))}
    </div>
  );
}
