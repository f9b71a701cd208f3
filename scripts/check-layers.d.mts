export interface LayerViolation {
  file: string;
  specifier: string;
  reason: string;
}
export function checkLayers(root: string): Promise<LayerViolation[]>;
export function importsOf(source: string): string[];
