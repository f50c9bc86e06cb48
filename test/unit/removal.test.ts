import { describe, expect, it } from 'vitest';
import { decideRemoval } from '../../src/core/rules/removal.js';
import type { RemovalDecision, RemovalFacts } from '../../src/core/rules/removal.js';

const clean: RemovalFacts = { dirty: [], ahead: 0, landed: true, exists: true };
const dirty3: RemovalFacts = { ...clean, dirty: ['src/a.ts', 'README.md', 'new.txt'] };
const ahead2: RemovalFacts = { ...clean, ahead: 2, landed: false };
const both: RemovalFacts = { dirty: ['x.ts'], ahead: 1, landed: false, exists: true };
const gone: RemovalFacts = { dirty: [], ahead: 0, landed: true, exists: false };

const DIRTY3 = '3 files with uncommitted changes (src/a.ts, README.md, new.txt)';

const cases: Array<{ name: string; facts: RemovalFacts; force: boolean; want: RemovalDecision }> = [
  { name: 'clean and landed: remove, no backup', facts: clean, force: false, want: { action: 'remove', backup: false, reasons: [] } },
  { name: 'clean and landed, forced: still no backup needed', facts: clean, force: true, want: { action: 'remove', backup: false, reasons: [] } },
  { name: 'dirty: refuse', facts: dirty3, force: false, want: { action: 'refuse', backup: false, reasons: [DIRTY3] } },
  { name: 'dirty, forced: remove after backup', facts: dirty3, force: true, want: { action: 'remove', backup: true, reasons: [DIRTY3] } },
  { name: 'ahead: refuse', facts: ahead2, force: false, want: { action: 'refuse', backup: false, reasons: ['2 commits not on the base branch'] } },
  { name: 'ahead, forced: remove after backup', facts: ahead2, force: true, want: { action: 'remove', backup: true, reasons: ['2 commits not on the base branch'] } },
  {
    name: 'dirty and ahead: both reasons',
    facts: both,
    force: false,
    want: { action: 'refuse', backup: false, reasons: ['1 file with uncommitted changes (x.ts)', '1 commit not on the base branch'] },
  },
  {
    name: 'dirty and ahead, forced',
    facts: both,
    force: true,
    want: { action: 'remove', backup: true, reasons: ['1 file with uncommitted changes (x.ts)', '1 commit not on the base branch'] },
  },
  {
    name: 'nothing ahead but not landed (facts raced): cautious refusal',
    facts: { ...clean, landed: false },
    force: false,
    want: { action: 'refuse', backup: false, reasons: ['HEAD is not on the base branch'] },
  },
  {
    name: 'nothing ahead but not landed, forced: backup',
    facts: { ...clean, landed: false },
    force: true,
    want: { action: 'remove', backup: true, reasons: ['HEAD is not on the base branch'] },
  },
  { name: 'no worktree: nothing', facts: gone, force: false, want: { action: 'nothing', backup: false, reasons: ['there is no worktree to remove'] } },
  { name: 'no worktree, forced: nothing', facts: { ...gone, ahead: 3, dirty: ['a'] }, force: true, want: { action: 'nothing', backup: false, reasons: ['there is no worktree to remove'] } },
];

describe('decideRemoval', () => {
  it.each(cases)('$name', ({ facts, force, want }) => {
    expect(decideRemoval(facts, { force })).toEqual(want);
  });

  it('names the first three dirty paths and counts the rest', () => {
    const facts = { ...clean, dirty: ['a', 'b', 'c', 'd', 'e'] };
    expect(decideRemoval(facts, { force: false }).reasons).toEqual(['5 files with uncommitted changes (a, b, c and 2 more)']);
  });

  it('never removes without a backup when anything could be lost', () => {
    for (const facts of [dirty3, ahead2, both, { ...clean, landed: false }]) {
      for (const force of [false, true]) {
        const d = decideRemoval(facts, { force });
        expect(d.action === 'remove' && !d.backup).toBe(false);
      }
    }
  });
});
