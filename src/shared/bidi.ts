/**
 * Names and titles from outside (file names, session titles, a fence's info
 * string) shown in the UI: a right-to-left override can make `invoice‮txt.exe`
 * read "invoiceexe.txt". The controls that reorder text are shown as what they
 * are (`[U+202E]`), and the UI puts each such name in its own bidi isolate
 * (`<bdi>`), so a genuinely right-to-left name cannot reorder the text beside it.
 * Pure.
 */

/** Bidi embeddings, overrides, isolates and marks (ALM, LRM, RLM, LRE…RLO, LRI…PDI). */
export const BIDI_CONTROL_CLASS = '\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069';
const BIDI_CONTROLS = new RegExp(`[${BIDI_CONTROL_CLASS}]`, 'g');

/** The text with each bidi control made visible as `[U+XXXX]`. */
export function showBidiControls(text: string): string {
  return text.replace(BIDI_CONTROLS, (c) => `[U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}]`);
}
