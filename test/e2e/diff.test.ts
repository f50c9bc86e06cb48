/**
 * End-to-end: the diff in the BUILT dashboard, in a pty, on a real worktree. A worker commits one file
 * and leaves another untracked: its panel shows `+2 −0`, `d` shows both files and their patch lines,
 * Esc goes back to the grid, and the worktree's `git status --porcelain` and index file (bytes and
 * mtime) are what they were before the dashboard looked.
 */
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { git } from '../helpers/gitRepo.js';
import { waitFor } from '../helpers/waitFor.js';
import { openDashboard, panelOf, useStartedProjects, waitForPanel, waitForScreen } from './dashboardScreen.js';

const startedProject = useStartedProjects();

const COMMITS_AND_LEAVES = 'echo a > a.txt && git add a.txt && git -c user.name=w -c user.email=w@w commit -qm a && echo b > notes.txt; exec sleep 600';

/** What must not change: the worktree's status and its index file, bytes and mtime. */
async function treeFacts(wt: string): Promise<{ status: string; index: string; mtimeMs: number }> {
  const indexPath = resolve(wt, (await git(wt, 'rev-parse', '--git-path', 'index')).trim());
  // The test's own look must not write either: a plain `git status` refreshes an index whose entries are
  // as new as the index itself (the worker's commit a moment ago), which would move its mtime.
  const [status, bytes, info] = await Promise.all([git(wt, '--no-optional-locks', 'status', '--porcelain'), readFile(indexPath), stat(indexPath)]);
  return { status, index: bytes.toString('base64'), mtimeMs: info.mtimeMs };
}

describe('the diff, in the built dashboard', () => {
  it('a worker that committed one file and left one untracked: +2 −0 on its panel, both files and the patch on d, Esc back, the tree untouched', async () => {
    const project = await startedProject('diffview', [{ name: 'w1', command: COMMITS_AND_LEAVES }]);
    const wt = join(project.worktreeDir, 'w1');
    // The worker's command is done once notes.txt exists after the commit.
    await waitFor(async () => (await git(wt, 'log', '-1', '--format=%s')).trim() === 'a' && (await stat(join(wt, 'notes.txt')).then(() => true, () => false)), {
      what: 'the worker to commit a.txt and leave notes.txt',
      timeoutMs: 10_000,
    });
    const before = await treeFacts(wt);
    expect(before.status).toBe('?? notes.txt');

    const screen = openDashboard(project, 120, 35);
    const panel = await waitForPanel(screen, 'w1', '+2 −0');
    // At the end of the evidence line (the panel's second row).
    expect(panel.text.split('\n')[1]).toMatch(/\+2 −0 *$/);

    screen.write('d');
    await screen.waitForText(/^w1 · .* · diff · 2 files · \+2 −0 · 16 lines · muxctl\/w1 against main /m, { what: 'the diff view title' });
    for (const line of [/^ {2}\+1 −0 {2}a\.txt {6}added$/m, /^ {2}\+1 −0 {2}notes\.txt {2}untracked$/m, /^diff --git a\/a\.txt b\/a\.txt$/m, /^\+a$/m, /^diff --git a\/notes\.txt b\/notes\.txt$/m, /^\+b$/m]) {
      await screen.waitForText(line, { what: `the diff line ${String(line)}` });
    }
    expect(panelOf(screen, 'w1')).toBeUndefined();

    screen.write('\x1b');
    await waitForPanel(screen, 'w1', '+2 −0');
    await waitForScreen(screen, () => !screen.text().includes('diff --git'), 'the diff view gone');

    // Read-only: neither the porcelain status nor the index moved.
    expect(await treeFacts(wt)).toEqual(before);
  });
});
