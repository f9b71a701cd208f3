import { Component } from 'preact';
import { useRef } from 'preact/hooks';
import { MarkdownBlocks, type Block } from '../markdown/blocks';
import { renderBlock } from '../markdown/render';

/** Blocks are grouped so a long answer diffs a few dozen groups per frame, not thousands of blocks. */
const CHUNK = 32;

function sameBlock(a: Block, b: Block): boolean {
  return a === b || (a.raw === b.raw && a.offset === b.offset && a.open === b.open);
}

/**
 * One block of a message. It re-renders only when its own text changes, so a
 * finished block is turned into vnodes (and highlighted) once, not per frame.
 */
class MdBlock extends Component<{ block: Block }> {
  override shouldComponentUpdate(next: { block: Block }): boolean {
    return !sameBlock(this.props.block, next.block);
  }
  override render() {
    return renderBlock(this.props.block.token, this.props.block.open);
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
  const blocks = useRef<MarkdownBlocks | null>(null);
  if (!blocks.current) blocks.current = new MarkdownBlocks();
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
