/**
 * The diff parser on literal output of git 2.39.5 (`diff --raw --numstat -z -p`): renames, binary
 * files, mode changes, deletions and quoted paths; the caps and their marker; untracked files built as
 * git would show them once added; the view's file list.
 */
import { describe, expect, it } from 'vitest';
import {
  capPatches,
  countNewlines,
  diffTotals,
  looksBinary,
  parseDiffZ,
  parseNumstatTotals,
  quotePath,
  splitPatch,
  untrackedEntry,
  withSections,
  type UntrackedRead,
} from '../../src/core/parsers/gitDiff.js';
import { formatDiffFigure, renderDiff } from '../../src/core/views/diffView.js';

/** A mode change with an edit, a new binary file, a rename with an edit (git 2.39.5, verbatim). */
const RENAME_BINARY_MODE =
  ':100644 100755 814f4a4 0000000 M\x00a.txt\x00:000000 100644 0000000 8352675 A\x00logo.png\x00:100644 100644 0970e47 a6e0e24 R085\x00old.md\x00new.md\x00' +
  '1\t0\ta.txt\x00-\t-\tlogo.png\x001\t0\t\x00old.md\x00new.md\x00\x00' +
  'diff --git a/a.txt b/a.txt\nold mode 100644\nnew mode 100755\nindex 814f4a4..4cb29ea\n--- a/a.txt\n+++ b/a.txt\n@@ -1,2 +1,3 @@\n one\n two\n+three\n' +
  'diff --git a/logo.png b/logo.png\nnew file mode 100644\nindex 0000000..8352675\nBinary files /dev/null and b/logo.png differ\n' +
  'diff --git a/old.md b/new.md\nsimilarity index 85%\nrename from old.md\nrename to new.md\nindex 0970e47..a6e0e24 100644\n--- a/old.md\n+++ b/new.md\n@@ -4,3 +4,4 @@ l3\n l4\n l5\n l6\n+l7\n';

/**
 * Run with diff.autoRefreshIndex=false: `keep` and `bin` only have stale stat data (same content), and
 * still get raw records; numstat leaves out `keep` but says `-\t-` for `bin`; the patch has neither.
 */
const STALE_STAT =
  ':100644 100644 7898192 0000000 M\x00a\x00:100644 100644 bdc955b 0000000 M\x00bin\x00:100644 100644 b68fde2 0000000 M\x00keep\x00:100644 100755 28ce6a8 0000000 M\x00mo\x00' +
  '1\t0\ta\x00-\t-\tbin\x000\t0\tmo\x00\x00' +
  'diff --git a/a b/a\nindex 7898192..9ad2ebb 100644\n--- a/a\n+++ b/a\n@@ -1 +1,2 @@\n a\n+a2\n' +
  'diff --git a/mo b/mo\nold mode 100644\nnew mode 100755\n';

/** Paths git quotes in patch headers (a `"`, non-ASCII) and a deletion. */
const QUOTED_AND_DELETED =
  ':100644 100644 975fbec 0000000 M\x00a"b.txt\x00:100644 100644 587be6b 0000000 M\x00café.txt\x00:100644 000000 b680253 0000000 D\x00gone.txt\x00' +
  '1\t0\ta"b.txt\x001\t0\tcafé.txt\x000\t1\tgone.txt\x00\x00' +
  'diff --git "a/a\\"b.txt" "b/a\\"b.txt"\nindex 975fbec..77811bc 100644\n--- "a/a\\"b.txt"\n+++ "b/a\\"b.txt"\n@@ -1 +1,2 @@\n y\n+y2\n' +
  'diff --git "a/caf\\303\\251.txt" "b/caf\\303\\251.txt"\nindex 587be6b..23a2420 100644\n--- "a/caf\\303\\251.txt"\n+++ "b/caf\\303\\251.txt"\n@@ -1 +1,2 @@\n x\n+x2\n' +
  'diff --git a/gone.txt b/gone.txt\ndeleted file mode 100644\nindex b680253..0000000\n--- a/gone.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-z\n';

describe('parseDiffZ', () => {
  it('reads renames, binary files and mode changes from raw and numstat records', () => {
    const { files, patch } = parseDiffZ(RENAME_BINARY_MODE);
    expect(files).toEqual([
      { path: 'a.txt', status: 'modified', added: 1, removed: 0, binary: false, untracked: false, mode: { old: '100644', new: '100755' } },
      { path: 'logo.png', status: 'added', added: 0, removed: 0, binary: true, untracked: false },
      { path: 'new.md', oldPath: 'old.md', status: 'renamed', similarity: 85, added: 1, removed: 0, binary: false, untracked: false },
    ]);
    expect(patch.startsWith('diff --git a/a.txt b/a.txt\n')).toBe(true);
  });

  it('keeps paths as git wrote them under -z (unquoted), and reads deletions', () => {
    const { files } = parseDiffZ(QUOTED_AND_DELETED);
    expect(files.map((f) => [f.path, f.status, f.added, f.removed])).toEqual([
      ['a"b.txt', 'modified', 1, 0],
      ['café.txt', 'modified', 1, 0],
      ['gone.txt', 'deleted', 0, 1],
    ]);
  });

  it('reads the summary alone (no -p) and nothing at all', () => {
    const summary = RENAME_BINARY_MODE.slice(0, RENAME_BINARY_MODE.indexOf('\x00\x00diff') + 1);
    expect(parseDiffZ(summary)).toMatchObject({ patch: '', files: [{ path: 'a.txt' }, { path: 'logo.png' }, { path: 'new.md' }] });
    expect(parseDiffZ('')).toEqual({ files: [], patch: '' });
  });

  it('leaves out a file whose stat data alone is stale, and withSections the binary one numstat cannot tell', () => {
    const { files, patch } = parseDiffZ(STALE_STAT);
    expect(files.map((f) => [f.path, f.added, f.removed, f.binary])).toEqual([
      ['a', 1, 0, false],
      ['bin', 0, 0, true],
      ['mo', 0, 0, false],
    ]);
    expect(files[2]?.mode).toEqual({ old: '100644', new: '100755' });
    expect(withSections(files, patch).map((s) => [s.file.path, s.patch.split('\n').length - 1])).toEqual([
      ['a', 7],
      ['mo', 3],
    ]);
  });

  it('refuses a record cut short rather than guessing', () => {
    expect(() => parseDiffZ(':100644 100644 975fbec 0000000 M\x00a.txt')).toThrow(/without its NUL/);
  });
});

describe('parseNumstatTotals', () => {
  it('adds up numstat -z, a binary file counting no lines, a rename read with both its paths', () => {
    expect(parseNumstatTotals('1\t0\ta.txt\x00-\t-\tlogo.png\x001\t0\t\x00old.md\x00new.md\x0012\t7\tsrc/x.ts\x00')).toEqual({ added: 14, removed: 7 });
    expect(parseNumstatTotals('')).toEqual({ added: 0, removed: 0 });
  });
});

describe('patch sections', () => {
  it('splits the patch at each diff --git line and gives each file its own section by header', () => {
    const { files, patch } = parseDiffZ(QUOTED_AND_DELETED);
    expect(splitPatch(patch)).toHaveLength(3);
    const byFile = withSections(files, patch).map((s) => s.patch);
    expect(byFile[0]).toMatch(/^diff --git "a\/a\\"b\.txt" "b\/a\\"b\.txt"\n[^]*\+y2\n$/);
    expect(byFile[1]).toContain('+x2\n');
    expect(byFile[2]).toMatch(/^diff --git a\/gone\.txt b\/gone\.txt\ndeleted file mode 100644\n[^]*-z\n$/);
  });

  it('keeps an unmerged file without a section, drops git\'s line for it, and joins a type change\'s two sections', () => {
    const { files, patch } = parseDiffZ(RENAME_BINARY_MODE);
    const unmerged = files.map((f) => (f.path === 'logo.png' ? { ...f, status: 'unmerged' as const } : f));
    const withoutLogo = patch.replace(/diff --git a\/logo\.png[^]*?(?=diff --git a\/old\.md)/, '* Unmerged path logo.png\n');
    const byFile = withSections(unmerged, withoutLogo);
    expect(byFile.map((s) => s.file.path)).toEqual(['a.txt', 'logo.png', 'new.md']);
    expect(byFile[0]?.patch).toContain('+three\n');
    expect(byFile[0]?.patch).not.toContain('Unmerged');
    expect(byFile[1]?.patch).toBe('');
    expect(byFile[2]?.patch).toMatch(/^diff --git a\/old\.md b\/new\.md\n/);
    const typeChange = 'diff --git a/l b/l\ndeleted file mode 100644\n--- a/l\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\ndiff --git a/l b/l\nnew file mode 120000\n--- /dev/null\n+++ b/l\n@@ -0,0 +1 @@\n+target\n\\ No newline at end of file\n';
    const [both] = withSections([{ path: 'l', status: 'type-changed', added: 1, removed: 1, binary: false, untracked: false }], typeChange);
    expect(both?.patch).toBe(typeChange);
  });

  it('quotes paths as git does with core.quotePath=true, and leaves plain ones (spaces too) alone', () => {
    expect(quotePath('a/café.txt')).toBe('"a/caf\\303\\251.txt"');
    expect(quotePath('b/a"b.txt')).toBe('"b/a\\"b.txt"');
    expect(quotePath('a/tab\there')).toBe('"a/tab\\there"');
    expect(quotePath('a/with space.txt')).toBe('a/with space.txt');
  });
});

describe('capPatches', () => {
  const lines = (n: number, tag: string): string => Array.from({ length: n }, (_, i) => `+${tag}${i + 1}`).join('\n') + '\n';

  it('cuts a file past its share with one "… N more lines" line, and leaves a short one whole', () => {
    const [long, short] = capPatches([lines(10, 'a'), lines(2, 'b')], { fileLines: 4, totalLines: 100, lineChars: 100 });
    expect(long).toEqual({ text: '+a1\n+a2\n+a3\n+a4\n… 6 more lines (a file shows at most 4)\n', truncated: true });
    expect(short).toEqual({ text: '+b1\n+b2\n', truncated: false });
  });

  it('stops every file once the whole diff has used its lines, naming that cap', () => {
    const capped = capPatches([lines(3, 'a'), lines(3, 'b'), lines(2, 'c')], { fileLines: 10, totalLines: 4, lineChars: 100 });
    expect(capped.map((c) => c.text)).toEqual([
      '+a1\n+a2\n+a3\n',
      '+b1\n… 2 more lines (the whole diff shows at most 4)\n',
      '… 2 more lines (the whole diff shows at most 4)\n',
    ]);
    expect(capped.map((c) => c.truncated)).toEqual([false, true, true]);
  });

  it('counts lines known beyond the text, and cuts a line too wide', () => {
    expect(capPatches(['+x\n'], { fileLines: 5, totalLines: 5, lineChars: 100 }, [3])[0]).toEqual({ text: '+x\n… 3 more lines (a file shows at most 5)\n', truncated: true });
    expect(capPatches([`+${'y'.repeat(20)}\n`], { fileLines: 5, totalLines: 5, lineChars: 6 })[0]?.text).toBe('+yyyyy…\n');
    expect(capPatches(['', '+1\n'], { fileLines: 1, totalLines: 1, lineChars: 9 }).map((c) => c.text)).toEqual(['', '+1\n']);
  });
});

describe('untracked files', () => {
  const read = (content: string, over: Partial<UntrackedRead> = {}): UntrackedRead => {
    const head = new TextEncoder().encode(content);
    return { path: 'notes.md', mode: '100644', head, complete: true, lines: countNewlines(head) + (content !== '' && !content.endsWith('\n') ? 1 : 0), binary: looksBinary(head), endsWithNewline: content.endsWith('\n'), ...over };
  };

  it('is a new file with every line added, as `git diff --no-index /dev/null` shows it (without the index line)', () => {
    const { file, patch, hiddenLines } = untrackedEntry(read('note\nmore'));
    expect(file).toEqual({ path: 'notes.md', status: 'added', added: 2, removed: 0, binary: false, untracked: true });
    expect(patch).toBe('diff --git a/notes.md b/notes.md\nnew file mode 100644\n--- /dev/null\n+++ b/notes.md\n@@ -0,0 +1,2 @@\n+note\n+more\n\\ No newline at end of file\n');
    expect(hiddenLines).toBe(0);
    expect(untrackedEntry(read('one\n')).patch).toContain('@@ -0,0 +1 @@\n+one\n');
  });

  it('shows a binary file and an empty one as git does', () => {
    const binary = untrackedEntry(read('\x00\x01png', { path: 'logo.png' }));
    expect(binary.file).toMatchObject({ binary: true, added: 0 });
    expect(binary.patch).toBe('diff --git a/logo.png b/logo.png\nnew file mode 100644\nBinary files /dev/null and b/logo.png differ\n');
    expect(untrackedEntry(read('', { path: 'empty' })).patch).toBe('diff --git a/empty b/empty\nnew file mode 100644\n');
  });

  it('read in part: drops the line cut short and counts the rest as hidden', () => {
    const { file, patch, hiddenLines } = untrackedEntry(read('a\nb\nc', { complete: false, lines: 10, endsWithNewline: true }));
    expect(file.added).toBe(10);
    expect(patch.endsWith('@@ -0,0 +1,10 @@\n+a\n+b\n')).toBe(true);
    expect(hiddenLines).toBe(8);
  });

  it('looks binary only for a NUL in the first 8000 bytes, as git does', () => {
    expect(looksBinary(new Uint8Array([65, 0, 66]))).toBe(true);
    const late = new Uint8Array(8001).fill(65);
    late[8000] = 0;
    expect(looksBinary(late)).toBe(false);
  });
});

describe('the diff view', () => {
  const { files, patch } = parseDiffZ(RENAME_BINARY_MODE);
  const patches = withSections(files, patch).map((s) => s.patch);
  const notes = untrackedEntry({ path: 'notes.md', mode: '100644', head: new TextEncoder().encode('n\n'), complete: true, lines: 1, binary: false, endsWithNewline: true });
  const all = [...files.map((f, i) => ({ ...f, patch: patches[i] ?? '' })), { ...notes.file, patch: notes.patch }];
  const diff = { worker: 'w1', branch: 'muxctl/w1', base: 'main', mergeBase: '45db6b0e8b34e595f27ecc7c889d7e3fbdc93b53', files: all, totals: diffTotals(all) };

  it('lists each file with its counts, binary, the rename from → to, untracked and a mode change', () => {
    const text = renderDiff(diff, { stat: true });
    expect(text.split('\n')).toEqual([
      'w1 (muxctl/w1): 4 files, +3 −0 against main (merge-base 45db6b0), uncommitted and untracked work included',
      '  +1 −0   a.txt            mode 100644 → 100755',
      '  binary  logo.png         added',
      '  +1 −0   old.md → new.md  renamed (85% similar)',
      '  +1 −0   notes.md         untracked',
      '',
    ]);
  });

  it('follows the list with every patch unless --stat', () => {
    const text = renderDiff(diff, { stat: false });
    expect(text).toContain('untracked\n\ndiff --git a/a.txt b/a.txt\n');
    expect(text.endsWith('+++ b/notes.md\n@@ -0,0 +1 @@\n+n\n')).toBe(true);
  });

  it('says so when there is nothing, and gives the panel figure', () => {
    expect(renderDiff({ ...diff, branch: null, files: [], totals: diffTotals([]) }, { stat: false })).toBe('w1: no changes against main (merge-base 45db6b0), nothing uncommitted or untracked\n');
    expect(formatDiffFigure({ added: 12, removed: 3 })).toBe('+12 −3');
  });
});
