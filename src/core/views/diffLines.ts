/**
 * The dashboard's diff view (`d`), pure: a worker's diff turned into lines the log view's model
 * scrolls and searches (logView.ts: `logWindow`, `scrollLog`, `editDraft`), each marked with what it
 * is so the view can colour it: the file list with +/− counts first, then each file's patch.
 */
import type { DiffTotals } from '../parsers/gitDiff.js';
import { diffFileRows, formatDiffFigure, type DiffViewInput } from './diffView.js';
import type { LogLine, LogViewState, LogWindow } from './logView.js';

/** What a line of the diff view is: the view colours each kind its own way. */
export type DiffLineKind = 'diff-file' | 'diff-blank' | 'diff-header' | 'diff-hunk' | 'diff-add' | 'diff-remove' | 'diff-context' | 'diff-meta' | 'diff-cut';

/** What the diff view shows of one read: its title's summary, or why there is nothing, and the lines. */
export interface DiffScreen {
  /** "2 files · +2 −0": the title line's first words after the worker's name. */
  summary: string;
  /** "muxctl/w1 against main (merge-base 45db6b0)": what the diff compares, last on the title line. */
  against: string;
  /** Why there are no lines: no worktree yet, git's error. Null when the diff was read. */
  problem: string | null;
  lines: LogLine[];
  /** The diff's totals, when it was read: the panel's `+N −M` follows the view. */
  totals: DiffTotals | null;
}

/** Tab stops are the terminal's business, not Ink's: four spaces keep each line inside the width. */
const TAB = '    ';

/**
 * A patch line as the screen can draw it: a tab as spaces, a CRLF file's `\r` dropped, any other
 * control byte (an escape sequence in a file would drive the terminal) shown as `?`.
 */
export function printableLine(text: string): string {
  return text
    .replace(/\r$/, '')
    .replace(/\t/g, TAB)
    .replace(/[\p{Cc}]/gu, '?');
}

const line = (kind: DiffLineKind, text: string): LogLine => ({ at: 0, source: 'log', kind, level: 'info', text });

/** One file's section of the patch as lines: its header up to the first hunk, then the hunks. */
function patchLines(patch: string): LogLine[] {
  if (patch === '') return [];
  let inHunk = false;
  return patch
    .replace(/\n$/, '')
    .split('\n')
    .map((raw) => {
      const text = printableLine(raw);
      if (raw.startsWith('diff --git ')) inHunk = false;
      if (raw.startsWith('@@')) {
        inHunk = true;
        return line('diff-hunk', text);
      }
      // The caps' "… N more lines" (core/parsers/gitDiff.ts capPatches) never starts a patch line.
      if (raw.startsWith('… ')) return line('diff-cut', text);
      if (!inHunk) return line(raw.startsWith('diff --git ') ? 'diff-header' : 'diff-meta', text);
      if (raw.startsWith('+')) return line('diff-add', text);
      if (raw.startsWith('-')) return line('diff-remove', text);
      if (raw.startsWith('\\')) return line('diff-meta', text);
      return line('diff-context', text);
    });
}

/** The diff as the view shows it: the file list, a blank line, then every file's patch. */
export function diffScreen(diff: DiffViewInput): DiffScreen {
  const against = `${diff.branch === null ? '' : `${diff.branch} `}against ${diff.base} (merge-base ${diff.mergeBase.slice(0, 7)})`;
  const totals = diff.totals;
  if (diff.files.length === 0) {
    return { summary: 'no changes', against, problem: null, lines: [line('diff-meta', 'nothing committed, uncommitted or untracked since the merge-base')], totals };
  }
  const count = `${totals.files} ${totals.files === 1 ? 'file' : 'files'}`;
  const files = diffFileRows(diff.files).map((row) => line('diff-file', printableLine(row)));
  const patches = diff.files.flatMap((f) => patchLines(f.patch ?? ''));
  return {
    summary: `${count} · ${formatDiffFigure(totals)}`,
    against,
    problem: null,
    lines: patches.length === 0 ? files : [...files, line('diff-blank', ''), ...patches],
    totals,
  };
}

/** A diff that could not be shown: the view says why in place of the lines. */
export function diffProblem(problem: string): DiffScreen {
  return { summary: 'not read', against: '', problem, lines: [], totals: null };
}

/**
 * The view's title after the worker's name: the diff's counts, the search, where the window is, then
 * what is compared (the part a narrow terminal cuts).
 */
export function diffHeader(diff: Pick<DiffScreen, 'summary' | 'against'>, view: Pick<LogViewState, 'search'>, window: LogWindow): string {
  const parts = ['diff', diff.summary];
  if (view.search !== '') parts.push(`search "${view.search}"`);
  const lines = `line${window.total === 1 ? '' : 's'}`;
  parts.push(window.total > window.lines.length ? `${lines} ${window.top + 1}–${window.top + window.lines.length} of ${window.total}` : `${window.total} ${lines}`);
  if (diff.against !== '') parts.push(diff.against);
  return parts.join(' · ');
}

/** What an empty window says, so the view is never blank. */
export function emptyDiffText(worker: string, view: Pick<LogViewState, 'search'>): string {
  if (view.search !== '') return 'no line matches: / with nothing typed clears the search';
  return `reading ${worker}'s diff…`;
}
