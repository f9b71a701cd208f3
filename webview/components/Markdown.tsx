import { Component } from 'preact';
import { useRef } from 'preact/hooks';
import { MarkdownBlocks, type Block } from '../markdown/blocks';
import { renderBlock } from '../markdown/render';

/**
 * One block of a message. It re-renders only when its own text changes, so a
 * finished block is turned into vnodes (and highlighted) once, not per frame.
 */
class MdBlock extends Component<{ block: Block }> {
  override shouldComponentUpdate(next: { block: Block }): boolean {
    const a = this.props.block;
    const b = next.block;
    return a.raw !== b.raw || a.offset !== b.offset || a.open !== b.open;
  }
  override render() {
    return renderBlock(this.props.block.token, this.props.block.open);
  }
}

export function Markdown({ text, streaming }: { text: string; streaming: boolean }) {
  const blocks = useRef<MarkdownBlocks | null>(null);
  if (!blocks.current) blocks.current = new MarkdownBlocks();
  const list = streaming ? blocks.current.update(text) : blocks.current.finish(text);
  return (
    <div class="md">
      {list.map((b) => (
        <MdBlock key={b.offset} block={b} />
      ))}
    </div>
  );
}
