/**
 * `muxctl diff` as text: a heading with the totals, one line a file (its +/− counts, or "binary", and
 * what it is: renamed from → to, added, deleted, untracked, a mode change), then the capped patch.
 * Pure: the diff is read by src/adapters/gitDiff.ts.
 */
import type { DiffFile, DiffTotals } from '../parsers/gitDiff.js';
import { textWidth } from './textWidth.js';

export interface DiffViewInput {
  worker: string;
  branch: string | null;
  base: string;
  mergeBase: string;
  files: ReadonlyArray<DiffFile & { patch?: string }>;
  totals: DiffTotals;
}

/** The panel's figure: `+12 −3` (U+2212, the minus sign, as on the screen sketch). */
export function formatDiffFigure(totals: Pick<DiffTotals, 'added' | 'removed'>): string {
  return `+${totals.added} −${totals.removed}`;
}

export function renderDiff(diff: DiffViewInput, { stat }: { stat: boolean }): string {
  const who = diff.branch === null ? diff.worker : `${diff.worker} (${diff.branch})`;
  const against = `against ${diff.base} (merge-base ${diff.mergeBase.slice(0, 7)})`;
  if (diff.files.length === 0) return `${who}: no changes ${against}, nothing uncommitted or untracked\n`;
  const count = `${diff.totals.files} ${diff.totals.files === 1 ? 'file' : 'files'}`;
  const out = [`${who}: ${count}, ${formatDiffFigure(diff.totals)} ${against}, uncommitted and untracked work included`, ...diffFileRows(diff.files)];
  if (stat) return `${out.join('\n')}\n`;
  const patches = diff.files.map((f) => f.patch ?? '').filter((p) => p !== '');
  return `${out.join('\n')}\n\n${patches.join('')}`;
}

/** One line a file, aligned: its +/− counts (or "binary"), its name (a rename's from → to), and what it is. */
export function diffFileRows(files: readonly DiffFile[]): string[] {
  const figures = files.map((f) => (f.binary ? 'binary' : formatDiffFigure(f)));
  const names = files.map((f) => (f.oldPath === undefined ? f.path : `${f.oldPath} → ${f.path}`));
  const figureWidth = Math.max(0, ...figures.map(textWidth));
  const nameWidth = Math.min(60, Math.max(0, ...names.map(textWidth)));
  return files.map((file, i) => {
    const what = describe(file);
    const figure = pad(figures[i] ?? '', figureWidth);
    return `  ${figure}  ${what === '' ? (names[i] ?? '') : `${pad(names[i] ?? '', nameWidth)}  ${what}`}`;
  });
}

/** What a file's line says beside its name; '' for a plain modification. */
function describe(file: DiffFile): string {
  const parts: string[] = [];
  if (file.untracked) parts.push('untracked');
  else if (file.status === 'renamed' || file.status === 'copied') parts.push(`${file.status}${file.similarity === undefined ? '' : ` (${file.similarity}% similar)`}`);
  else if (file.status !== 'modified') parts.push(file.status);
  if (file.mode) parts.push(`mode ${file.mode.old} → ${file.mode.new}`);
  return parts.join(', ');
}

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - textWidth(text)));
}
