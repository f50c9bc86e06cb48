// What Ink and its helpers get for `string-width` in the bundle: the same widths, with muxctl's fast
// path first (src/core/views/textWidth.ts, plainWidth). Ink measures every line of every frame, and
// nearly all of them are ASCII, box drawing and muxctl's own glyphs, often inside colour codes;
// string-width would make an Intl.Segmenter and compile its emoji pattern for the first of them
// (~45 ms of the first frame, measured).
import realStringWidth from 'string-width';
import stripAnsi from 'strip-ansi';
import { plainWidth } from '../../src/core/views/textWidth.ts';

export default function stringWidth(text, options) {
  if (typeof text === 'string' && options === undefined) {
    const plain = text.includes('\u001B') || text.includes('\u009B') ? stripAnsi(text) : text;
    const width = plainWidth(plain);
    if (width !== undefined) return width;
  }
  return realStringWidth(text, options);
}
