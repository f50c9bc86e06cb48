import { describe, expect, it } from 'vitest';
import { parseGitVersion, parseLeftRightCount, parseStatusZ, parseWorktreeList, unquoteCPath, versionAtLeast } from '../../src/core/parsers/gitFormat.js';

// Copied from `git worktree list --porcelain` (git 2.39.5): main, branch, detached, locked with a
// reason, deleted by hand (prunable), and a path with spaces and quotes (printed raw by 2.39).
const SHA = '42344791c808797e752feed9a43182813e2d63e4';
const LIST = `worktree /tmp/wtx/r
HEAD ${SHA}
branch refs/heads/main

worktree /tmp/wtx/w "q"
HEAD ${SHA}
branch refs/heads/b5

worktree /tmp/wtx/w2
HEAD ${SHA}
detached

worktree /tmp/wtx/w3
HEAD ${SHA}
branch refs/heads/muxctl/w3
locked on usb

worktree /tmp/wtx/w4
HEAD ${SHA}
branch refs/heads/b4
prunable gitdir file points to non-existent location

`;

describe('parseWorktreeList', () => {
  it('reads every kind of entry', () => {
    const base = { head: SHA, locked: false, prunable: false, bare: false };
    expect(parseWorktreeList(LIST)).toEqual([
      { ...base, path: '/tmp/wtx/r', branch: 'main' },
      { ...base, path: '/tmp/wtx/w "q"', branch: 'b5' },
      { ...base, path: '/tmp/wtx/w2', branch: null },
      { ...base, path: '/tmp/wtx/w3', branch: 'muxctl/w3', locked: true },
      { ...base, path: '/tmp/wtx/w4', branch: 'b4', prunable: true },
    ]);
  });

  it('reads a bare main entry, a repository without commits, and output without the final blank line', () => {
    const text = 'worktree /srv/repo.git\nbare\n\nworktree /srv/w\nHEAD 0000000000000000000000000000000000000000\nbranch refs/heads/main';
    expect(parseWorktreeList(text)).toEqual([
      { path: '/srv/repo.git', head: '', branch: null, locked: false, prunable: false, bare: true },
      { path: '/srv/w', head: '0000000000000000000000000000000000000000', branch: 'main', locked: false, prunable: false, bare: false },
    ]);
  });

  it('unquotes C-quoted paths (git ≥ 2.36 quotes unusual paths) and ignores unknown keys', () => {
    const text = 'worktree "/tmp/w\\ttab \\303\\251"\nHEAD abc\nbranch refs/heads/x\nsomething-new 1\n\n';
    expect(parseWorktreeList(text)[0]).toMatchObject({ path: '/tmp/w\ttab é', branch: 'x' });
  });

  it('returns nothing for empty output', () => {
    expect(parseWorktreeList('')).toEqual([]);
  });
});

describe('parseStatusZ', () => {
  it('lists modified, untracked and renamed paths, skipping the rename source', () => {
    // `git status --porcelain=v1 -z` after `git mv a b; echo y >> b; echo x > 'sp ace'`
    expect(parseStatusZ('RM b\0a\0?? sp ace\0')).toEqual(['b', 'sp ace']);
  });

  it('reads staged and unstaged changes side by side', () => {
    expect(parseStatusZ(' M src/x.ts\0A  new.ts\0D  gone.ts\0UU conflict.ts\0C  copy.ts\0orig.ts\0')).toEqual([
      'src/x.ts',
      'new.ts',
      'gone.ts',
      'conflict.ts',
      'copy.ts',
    ]);
  });

  it('is empty for a clean worktree', () => {
    expect(parseStatusZ('')).toEqual([]);
  });
});

describe('parseLeftRightCount', () => {
  it('reads behind then ahead', () => {
    expect(parseLeftRightCount('3\t2')).toEqual({ behind: 3, ahead: 2 });
    expect(parseLeftRightCount('0\t0\n')).toEqual({ behind: 0, ahead: 0 });
  });

  it('throws on anything else', () => {
    expect(() => parseLeftRightCount('fatal: bad revision')).toThrow(/unexpected output/);
  });
});

describe('git versions', () => {
  it.each([
    ['git version 2.39.5', [2, 39, 5]],
    ['git version 2.39.3 (Apple Git-145)', [2, 39, 3]],
    ['git version 2.45.1.windows.1', [2, 45, 1]],
    ['git version 3.0', [3, 0, 0]],
    ['hello', null],
  ] as const)('%s', (text, want) => {
    expect(parseGitVersion(text)).toEqual(want);
  });

  it('compares versions', () => {
    expect(versionAtLeast([2, 39, 5], [2, 17, 0])).toBe(true);
    expect(versionAtLeast([2, 17, 0], [2, 17, 0])).toBe(true);
    expect(versionAtLeast([2, 16, 9], [2, 17, 0])).toBe(false);
    expect(versionAtLeast([3, 0, 0], [2, 99, 0])).toBe(true);
  });
});

describe('unquoteCPath', () => {
  it('leaves unquoted text alone', () => {
    expect(unquoteCPath('/plain/path "x"')).toBe('/plain/path "x"');
  });

  it('decodes escapes and octal UTF-8 bytes', () => {
    expect(unquoteCPath('"a\\\\b\\"c\\nd\\303\\251"')).toBe('a\\b"c\nd\u00e9');
  });

  it('keeps characters outside the BMP whole', () => {
    expect(unquoteCPath('"x😀\\ty"')).toBe('x😀\ty');
  });
});
