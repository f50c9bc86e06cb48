/**
 * A worker's diff as text: `git diff --raw --numstat -z [-p]` parsed into files with their +/− counts,
 * the patch cut into one section a file and capped, and the patch of an untracked file built from its
 * bytes (git cannot diff a file it does not track without `add -N`, which writes the index). Pure: the
 * adapter (src/adapters/gitDiff.ts) runs git, reads the untracked files and hands the text here.
 */

export type DiffStatus = 'added' | 'modified' | 'deleted' | 'renamed' | 'copied' | 'type-changed' | 'unmerged' | 'unknown';

export interface DiffFile {
  /** The path now (the new path of a rename or copy), relative to the worktree. */
  path: string;
  /** Where a renamed or copied file came from. */
  oldPath?: string;
  status: DiffStatus;
  /** Lines added and removed; 0 and 0 for a binary file, whose numstat says `-\t-`. */
  added: number;
  removed: number;
  binary: boolean;
  /** Not tracked by git yet: what `git add -A` would add. */
  untracked: boolean;
  /** For a rename or copy: git's similarity, in percent. */
  similarity?: number;
  /** Both modes, only when they differ (`100644` → `100755`). */
  mode?: { old: string; new: string };
}

export interface ParsedDiff {
  files: DiffFile[];
  /** The patch that followed the summary (`-p`), as git printed it; '' without `-p`. */
  patch: string;
}

export interface DiffTotals {
  files: number;
  added: number;
  removed: number;
}

/** How much patch is shown: a file's share, the whole diff's, and one line's width. */
export interface DiffCaps {
  /** @default 400 */
  fileLines: number;
  /** @default 4000 */
  totalLines: number;
  /** A longer line is cut, with `…`: minified code or a lock file must not flood the view. @default 1000 */
  lineChars: number;
}

export const DIFF_CAPS: DiffCaps = { fileLines: 400, totalLines: 4000, lineChars: 1000 };

const STATUS: Record<string, DiffStatus> = { A: 'added', M: 'modified', D: 'deleted', R: 'renamed', C: 'copied', T: 'type-changed', U: 'unmerged' };

/** Reads NUL-terminated fields one at a time; the patch after them may hold NULs of its own. */
class Fields {
  pos = 0;
  constructor(readonly text: string) {}
  get done(): boolean {
    return this.pos >= this.text.length;
  }
  peek(): string {
    return this.text[this.pos] ?? '';
  }
  next(): string {
    const end = this.text.indexOf('\0', this.pos);
    if (end === -1) throw new Error(`unexpected output from git diff -z: a field without its NUL at ${this.pos}`);
    const field = this.text.slice(this.pos, end);
    this.pos = end + 1;
    return field;
  }
}

/**
 * Parse `git diff --raw --numstat -z [-p]`: raw records (`:old new sha sha R085\0old\0new\0`), then
 * numstat records in the same order (`1\t2\tpath\0`, `1\t2\t\0old\0new\0` for a rename, `-\t-\t…`
 * for a binary file), then, with `-p`, an empty field and the patch.
 *
 * Without the index refresh (which would write it), a file whose stat data is stale but whose content
 * is unchanged still has a raw record: only numstat and the patch compare contents. So a file is one
 * with a numstat record, and a raw record without one is dropped. (numstat says `-\t-` for such a
 * binary file all the same; `withSections` drops it by its missing patch section.)
 */
export function parseDiffZ(text: string): ParsedDiff {
  const fields = new Fields(text);
  const raws: DiffFile[] = [];
  while (!fields.done && fields.peek() === ':') {
    const [oldMode = '', newMode = '', , , code = ''] = fields.next().slice(1).split(' ');
    const letter = code.charAt(0);
    const first = fields.next();
    const pair = letter === 'R' || letter === 'C';
    const file: DiffFile = { path: pair ? fields.next() : first, status: STATUS[letter] ?? 'unknown', added: 0, removed: 0, binary: false, untracked: false };
    if (pair) {
      file.oldPath = first;
      if (/^\d+$/.test(code.slice(1))) file.similarity = Number(code.slice(1));
    }
    // An added or deleted file has 000000 on one side: that is not a mode change.
    if (oldMode !== newMode && !/^0+$/.test(oldMode) && !/^0+$/.test(newMode)) file.mode = { old: oldMode, new: newMode };
    raws.push(file);
  }
  const files: DiffFile[] = [];
  let cursor = 0;
  while (!fields.done && fields.peek() !== '\0') {
    const stat = numstatRecord(fields);
    const at = raws.findIndex((r, i) => i >= cursor && r.path === stat.path && r.oldPath === stat.oldPath);
    const raw = raws[at];
    if (raw !== undefined) cursor = at + 1;
    const base: DiffFile = raw ?? { path: stat.path, ...(stat.oldPath === undefined ? {} : { oldPath: stat.oldPath }), status: 'unknown', added: 0, removed: 0, binary: false, untracked: false };
    files.push({ ...base, added: stat.added, removed: stat.removed, binary: stat.binary });
  }
  if (!fields.done) fields.pos++; // the empty field before the patch
  return { files, patch: text.slice(fields.pos) };
}

interface NumstatRecord {
  path: string;
  oldPath?: string;
  added: number;
  removed: number;
  binary: boolean;
}

function numstatRecord(fields: Fields): NumstatRecord {
  const [added = '', removed = '', path = ''] = fields.next().split('\t');
  const binary = added === '-' && removed === '-';
  const counts = { added: binary ? 0 : Number(added), removed: binary ? 0 : Number(removed), binary };
  if (path !== '') return { path, ...counts };
  const oldPath = fields.next(); // a rename's two paths, as in the raw record
  return { path: fields.next(), oldPath, ...counts };
}

/**
 * `git diff --numstat -z`: lines added and removed over all files, the cheap figure for a panel. Exact
 * even with stale stat data (numstat compares contents, and a binary file counts no lines either way).
 */
export function parseNumstatTotals(text: string): { added: number; removed: number } {
  const fields = new Fields(text);
  const totals = { added: 0, removed: 0 };
  while (!fields.done) {
    const stat = numstatRecord(fields);
    totals.added += stat.added;
    totals.removed += stat.removed;
  }
  return totals;
}

export function diffTotals(files: readonly DiffFile[]): DiffTotals {
  return files.reduce((t, f) => ({ files: t.files + 1, added: t.added + f.added, removed: t.removed + f.removed }), { files: 0, added: 0, removed: 0 });
}

/**
 * The patch cut into its `diff --git` sections. git's `* Unmerged path <p>` lines, which stand for a
 * file without a section, are dropped (a line of a section never starts with `*`), as is anything
 * before the first section.
 */
export function splitPatch(text: string): string[] {
  const patch = text.replace(/^\* Unmerged path .*(?:\n|$)/gm, '');
  const starts: number[] = [];
  if (patch.startsWith('diff --git ')) starts.push(0);
  for (let at = patch.indexOf('\ndiff --git '); at !== -1; at = patch.indexOf('\ndiff --git ', at + 1)) starts.push(at + 1);
  return starts.map((start, i) => patch.slice(start, starts[i + 1] ?? patch.length));
}

/** The first line git prints for a file's section, as it quotes it under `core.quotePath=true`. */
export function sectionHeader(file: Pick<DiffFile, 'path' | 'oldPath'>): string {
  return `diff --git ${quotePath(`a/${file.oldPath ?? file.path}`)} ${quotePath(`b/${file.path}`)}`;
}

/** The patch's sections by their first line; a type change (a file become a link) has two, joined. */
export function sectionsByHeader(patch: string): Map<string, string> {
  const byHeader = new Map<string, string>();
  for (const section of splitPatch(patch)) {
    const header = firstLine(section);
    byHeader.set(header, (byHeader.get(header) ?? '') + section);
  }
  return byHeader;
}

/**
 * Each file with its section of the patch. A file git printed no section for is dropped, as its content
 * did not change (stale stat data, see parseDiffZ), unless it is unmerged (`* Unmerged path`).
 */
export function withSections(files: readonly DiffFile[], patch: string): Array<{ file: DiffFile; patch: string }> {
  const sections = sectionsByHeader(patch);
  return files.flatMap((file) => {
    const text = sections.get(sectionHeader(file)) ?? '';
    return text !== '' || file.status === 'unmerged' ? [{ file, patch: text }] : [];
  });
}

const C_ESCAPES: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 34: '\\"', 92: '\\\\' };

/** git's C-style quoting of a path (quote.c, with core.quotePath=true): control, `"`, `\` and non-ASCII bytes. */
export function quotePath(path: string): string {
  const bytes = new TextEncoder().encode(path);
  if (!bytes.some((b) => b < 0x20 || b === 0x22 || b === 0x5c || b >= 0x7f)) return path;
  let out = '';
  for (const b of bytes) {
    if (C_ESCAPES[b] !== undefined) out += C_ESCAPES[b];
    else if (b < 0x20 || b >= 0x7f) out += `\\${b.toString(8).padStart(3, '0')}`;
    else out += String.fromCharCode(b);
  }
  return `"${out}"`;
}

export interface CappedPatch {
  text: string;
  truncated: boolean;
}

/**
 * Cap every file's patch to `fileLines` and all of them together to `totalLines`, in order; what is cut
 * ends in one line `… N more lines`, saying which cap cut it. `hiddenLines[i]` are lines of file i known
 * to exist beyond its text (an untracked file read only in part).
 */
export function capPatches(patches: readonly string[], caps: DiffCaps = DIFF_CAPS, hiddenLines: readonly number[] = []): CappedPatch[] {
  let left = caps.totalLines;
  return patches.map((patch, i) => {
    const lines = patch === '' ? [] : patch.replace(/\n$/, '').split('\n');
    const total = lines.length + (hiddenLines[i] ?? 0);
    const budget = Math.min(caps.fileLines, left);
    const shown = lines.slice(0, budget).map((line) => cutLine(line, caps.lineChars));
    left -= shown.length;
    const more = total - shown.length;
    if (more <= 0) return { text: patch === '' ? '' : `${shown.join('\n')}\n`, truncated: false };
    const why = budget < caps.fileLines ? `the whole diff shows at most ${caps.totalLines}` : `a file shows at most ${caps.fileLines}`;
    return { text: `${[...shown, `… ${more} more ${more === 1 ? 'line' : 'lines'} (${why})`].join('\n')}\n`, truncated: true };
  });
}

function cutLine(line: string, max: number): string {
  return line.length <= max ? line : `${line.slice(0, max)}…`;
}

function firstLine(text: string): string {
  const end = text.indexOf('\n');
  return end === -1 ? text : text.slice(0, end);
}

/** git's test (xdiff's buffer_is_binary): a NUL in the first 8000 bytes. */
export function looksBinary(bytes: Uint8Array): boolean {
  return bytes.subarray(0, 8000).includes(0);
}

export function countNewlines(bytes: Uint8Array): number {
  let n = 0;
  for (let at = bytes.indexOf(10); at !== -1; at = bytes.indexOf(10, at + 1)) n++;
  return n;
}

/** What the adapter read of an untracked file: its start, and facts about the whole of it. */
export interface UntrackedRead {
  path: string;
  /** `100644`, `100755`, or `120000` for a symbolic link (whose content is its target). */
  mode: string;
  /** The first bytes (all of them when `complete`). */
  head: Uint8Array;
  complete: boolean;
  /** Lines in the whole file, as numstat counts them: a last line without a newline counts. */
  lines: number;
  binary: boolean;
  /** Whether the last byte of the file is a newline (false for an empty file). */
  endsWithNewline: boolean;
}

/** An untracked file as git would show it once added: a new file, all its lines added. */
export function untrackedEntry(read: UntrackedRead): { file: DiffFile; patch: string; hiddenLines: number } {
  const file: DiffFile = { path: read.path, status: 'added', added: read.binary ? 0 : read.lines, removed: 0, binary: read.binary, untracked: true };
  const header = `${sectionHeader(file)}\nnew file mode ${read.mode}\n`;
  if (read.binary) return { file, patch: `${header}Binary files /dev/null and ${quotePath(`b/${read.path}`)} differ\n`, hiddenLines: 0 };
  if (read.lines === 0) return { file, patch: header, hiddenLines: 0 };
  const content = new TextDecoder().decode(read.head).split('\n');
  // The last piece is '' after a final newline, or a line without one, or (read in part) a line cut short.
  if (!read.complete || content.at(-1) === '') content.pop();
  const body = content.map((line) => `+${line}`);
  if (read.complete && !read.endsWithNewline) body.push('\\ No newline at end of file');
  const hunk = `--- /dev/null\n+++ ${quotePath(`b/${read.path}`)}\n@@ -0,0 +1${read.lines === 1 ? '' : `,${read.lines}`} @@\n`;
  return { file, patch: `${header}${hunk}${body.join('\n')}\n`, hiddenLines: read.lines - content.length };
}
