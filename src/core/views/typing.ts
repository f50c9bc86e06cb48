/**
 * What is typed into a form or a search: a chunk typed fast split into its text and the control keys
 * inside it, and which keys go on editing after themselves. Part of the keymap (re-exported there).
 */
import type { Action, KeyPress } from './keymap.js';

/**
 * Keys that edit text in place. A chunk typed fast goes on after them; after any other key (submit,
 * apply, close) the rest of the chunk is dropped, since the dialog it was typed into may be gone.
 */
export const TEXT_EDITING: readonly Action[] = ['erase', 'formNext', 'formPrevious'];

/** A piece of a typed chunk: printable text, or a control key inside it. */
export type TypedPiece = { text: string } | { key: KeyPress };

const CONTROL_KEYS: Record<string, KeyPress> = { '\t': { tab: true }, '\r': { return: true }, '\n': { return: true }, '\x7f': { delete: true }, '\b': { backspace: true } };

/**
 * Keys typed fast arrive as one chunk ("title\tapp\r"): split it into runs of text and the control
 * keys between them, in order, so a Tab or a backspace inside a chunk is never typed as text. Other
 * control bytes are dropped.
 */
export function splitTyped(chunk: string): TypedPiece[] {
  const pieces: TypedPiece[] = [];
  let text = '';
  for (const c of chunk) {
    const key = CONTROL_KEYS[c];
    if (key === undefined && c < ' ') continue;
    if (key === undefined) {
      text += c;
      continue;
    }
    if (text !== '') pieces.push({ text });
    text = '';
    pieces.push({ key });
  }
  if (text !== '') pieces.push({ text });
  return pieces;
}
