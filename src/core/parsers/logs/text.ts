/**
 * Plain text: any command's output, and muxctl's own capture of a worker's screen (pipe-pane). ANSI
 * colours and cursor codes are stripped; a line that redraws itself with CR (a progress bar) counts as
 * what it shows last. No times: the reader stamps lines when it reads them.
 */
import stripAnsi from 'strip-ansi';
import { logEvent, type ParsedLine } from './event.js';

// "error" in any case, as a word ("0 errors" is not one); FAILED and Traceback only as written, since
// "failed" in prose is common and harmless.
const ERROR_WORDS = /\berror\b|\bfatal\b|\bpanic:/i;
const ERROR_MARKS = /Traceback|FAILED/;
const WARN = /\bwarn(ing)?\b/i;

export function parseTextLine(line: string): ParsedLine {
  const segments = stripAnsi(line).split('\r');
  const shown = [...segments].reverse().find((segment) => segment.trim() !== '') ?? '';
  if (shown.trim() === '') return { events: [] };
  if (ERROR_WORDS.test(shown) || ERROR_MARKS.test(shown)) return { events: [logEvent('error', null, shown)] };
  return { events: [logEvent('message', null, shown, { level: WARN.test(shown) ? 'warn' : 'info' })] };
}
