/**
 * Applying a reply's code block: what it holds, where it lands, the proposed
 * file. Pure (no vscode, no Node): the extension shows the plan as a diff and
 * applies it on Accept; the tests run it over real-shaped model output.
 */
export { fencedBlocks, findBlock, type FencedBlock } from './fences';
export { describeMismatch, findLines, type FindResult, type LineMatch, type MatchLevel } from './match';
export { namedPath, parseBlock, staysInWorkspace, type BlockShape, type NamedPath } from './parse';
export { planEdit, type Plan, type PlanHow, type PlanInput, type Region } from './plan';
export { namesTarget, questionTargets, targetSteps, type ApplyOutcome, type ApplyRequest, type ApplyTarget, type TargetStep } from './target';
export { detectEol, minimalEdit, splitText } from './text';
