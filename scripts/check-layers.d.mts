export interface LayerViolation {
  file: string;
  specifier: string;
  reason: string;
}
export const RULES: Record<string, { layers: string[]; vscode: boolean; node: boolean }>;
export function checkLayers(root: string): Promise<LayerViolation[]>;
export function importsOf(source: string): string[];
export function runtimeImportsOf(source: string): string[];
export function layerOf(relPath: string): string | undefined;
export function importViolation(fileRel: string, spec: string): string | undefined;
