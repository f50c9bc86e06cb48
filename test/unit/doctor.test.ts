import { describe, expect, it } from 'vitest';
import { FINDING_KINDS, diagnose } from '../../src/core/rules/doctor.js';
import type { BranchFacts, DoctorFacts, Finding, HostFacts, WorkerFacts } from '../../src/core/rules/doctor.js';
import { OPEN_STATES, newTask } from '../../src/core/rules/tasks.js';
import type { Task, TaskState } from '../../src/core/rules/tasks.js';

const NOW = Date.UTC(2025, 0, 2, 14, 0, 0);
const BASE_SHA = 'a'.repeat(40);
const TIP = 'b'.repeat(40);
const ROOT = 'c'.repeat(40);

function task(state: TaskState, over: Partial<Task> = {}): Task {
  const held = state === 'claimed' || state === 'running';
  return {
    ...newTask({ id: 'T1', title: 'fix the parser', lane: 'app' }, NOW - 60_000),
    state,
    branch: 'muxctl/t1-fix-the-parser',
    baseSha: BASE_SHA,
    assignee: state === 'queued' ? null : 'w1',
    lease: held ? { holder: 'w1', expiresAt: NOW + 600_000 } : null,
    ...over,
  };
}

function worker(name: string, over: Partial<WorkerFacts> = {}): WorkerFacts {
  return { name, worktree: `/wt/${name}`, exists: true, branch: `muxctl/${name}`, dirtyFiles: [], hasSession: true, desired: 'running', ...over };
}

const host = (over: Partial<HostFacts> = {}): HostFacts => ({ name: 'box1', destination: 'dev@box1', repo: '/srv/p', unreachable: null, rootCommits: [ROOT], tmux: 'tmux 3.3a', sessions: [], workers: [], killCommand: 'ssh dev@box1 tmux -L muxctl-p-box1 kill-session -t =', ...over });
const onBranch = (commits: number): BranchFacts => ({ landed: false, commits, tip: TIP });
const landedAt: BranchFacts = { landed: true, commits: 2, tip: TIP };

/** A world that agrees with the record: two workers up and clean, w1 running T1 with work in progress. */
function agreeing(over: Partial<DoctorFacts> = {}): DoctorFacts {
  return {
    tasks: [task('running')],
    workers: [worker('w1', { branch: 'muxctl/t1-fix-the-parser', dirtyFiles: ['src/parser.ts'] }), worker('w2')],
    sessions: ['w1', 'w2', '_muxctl_monitor'],
    branches: { T1: onBranch(1) },
    integrationWorktrees: [],
    landerLockHeld: false,
    rootCommits: [ROOT],
    hosts: [],
    baseBranch: 'main',
    now: NOW,
    ...over,
  };
}

function only(findings: Finding[]): Finding {
  expect(findings).toHaveLength(1);
  return findings[0] as Finding;
}

describe('diagnose', () => {
  it('finds nothing when the world agrees with the record', () => {
    expect(diagnose(agreeing())).toEqual([]);
  });

  it('finds nothing for finished work that is recorded as such', () => {
    const tasks = [task('landed', { id: 'T1' }), task('canceled', { id: 'T2' }), task('done', { id: 'T3' })];
    const facts = agreeing({ tasks, workers: [worker('w1'), worker('w2')], branches: { T3: landedAt } });
    // T3 is done and on the base: only the landing itself is unrecorded.
    expect(diagnose(facts).map((f) => `${f.kind} ${f.subject}`)).toEqual(['landed-not-recorded T3']);
    expect(diagnose({ ...facts, tasks: tasks.slice(0, 2), branches: {} })).toEqual([]);
  });

  it('a done task with commits waiting is offered for landing', () => {
    const facts = agreeing({ tasks: [task('done')], workers: [worker('w1'), worker('w2')], branches: { T1: onBranch(3) } });
    const found = only(diagnose(facts));
    expect(found).toMatchObject({ kind: 'done-not-landed', subject: 'T1', fix: { key: 'land', label: 'land it' } });
    expect(found.text).toBe('T1 is done but not landed: 3 commits on muxctl/t1-fix-the-parser wait to go onto main');
  });

  it('a done task with nothing to land is shown without a fix', () => {
    const gone = only(diagnose(agreeing({ tasks: [task('done')], workers: [worker('w1'), worker('w2')], branches: { T1: { landed: false, commits: 0, tip: null } } })));
    expect(gone).toMatchObject({ kind: 'done-not-landed', fix: null });
    expect(gone.text).toContain('its branch muxctl/t1-fix-the-parser is gone');
    const empty = only(diagnose(agreeing({ tasks: [task('done')], workers: [worker('w1'), worker('w2')], branches: { T1: onBranch(0) } })));
    expect(empty.text).toContain('holds no commits past where it started');
  });

  it.each(OPEN_STATES)('a %s task whose branch already landed is offered to be marked landed', (state) => {
    const found = only(diagnose(agreeing({ tasks: [task(state)], workers: [worker('w1'), worker('w2')], branches: { T1: landedAt } })));
    expect(found).toMatchObject({ kind: 'landed-not-recorded', subject: 'T1', fix: { key: 'mark-landed', label: 'mark it landed' } });
    expect(found.text).toBe(`T1 is ${state} but its branch muxctl/t1-fix-the-parser already landed on main (at bbbbbbb)`);
  });

  it('a held task that landed but has uncommitted work on its branch gets no fix', () => {
    const w1 = worker('w1', { branch: 'muxctl/t1-fix-the-parser', dirtyFiles: ['a.ts', 'b.ts'] });
    const found = only(diagnose(agreeing({ tasks: [task('running')], workers: [w1, worker('w2')], branches: { T1: landedAt } })));
    expect(found.fix).toBeNull();
    expect(found.text).toContain('w1 still has 2 uncommitted files (a.ts, b.ts) on it');
  });

  it('a dirty worktree whose worker holds no task is offered a WIP commit', () => {
    const w2 = worker('w2', { dirtyFiles: ['notes.md', 'x.ts', 'y.ts', 'z.ts'] });
    const found = only(diagnose(agreeing({ workers: [worker('w1', { branch: 'muxctl/t1-fix-the-parser' }), w2] })));
    expect(found).toMatchObject({ kind: 'dirty-without-task', subject: 'w2', fix: { key: 'commit-wip' } });
    expect(found.fix?.label).toBe('commit it to a new branch muxctl/wip/w2/<time>');
    expect(found.text).toBe("w2's worktree has 4 uncommitted files (notes.md, x.ts, y.ts and 1 more) and w2 holds no task");
  });

  it('a dirty worktree whose worker finished its task is still work with no task', () => {
    const w1 = worker('w1', { branch: 'muxctl/t1-fix-the-parser', dirtyFiles: ['left.txt'] });
    const kinds = diagnose(agreeing({ tasks: [task('done')], workers: [w1, worker('w2')], branches: { T1: onBranch(1) } })).map((f) => f.kind);
    expect(kinds).toEqual(['done-not-landed', 'dirty-without-task']);
  });

  it('a dirty worktree that does not exist is not looked at', () => {
    expect(diagnose(agreeing({ workers: [worker('w1', { branch: 'muxctl/t1-fix-the-parser' }), worker('w2', { exists: false, dirtyFiles: ['x'] })] }))).toEqual([]);
  });

  it('a session no config names is an orphan, the monitor session never', () => {
    const found = diagnose(agreeing({ sessions: ['w1', 'w2', '_muxctl_monitor', 'stray', 'stray'] }));
    expect(only(found)).toMatchObject({ kind: 'orphan-session', subject: 'stray', fix: { key: 'stop-orphan', label: 'stop it (its screen is saved to a file first)' } });
    expect(only(found).text).toBe('tmux session "stray" on muxctl\'s socket belongs to no worker in the config');
  });

  it('an orphan whose name cannot be targeted exactly gets no fix', () => {
    expect(only(diagnose(agreeing({ sessions: ['w1', 'w2', 'my session'] }))).fix).toBeNull();
  });

  it('a worker asked to run without its session is offered a start; stopped or never started is fine', () => {
    const w1 = worker('w1', { branch: 'muxctl/t1-fix-the-parser' });
    const found = only(diagnose(agreeing({ sessions: ['w1'], workers: [w1, worker('w2', { hasSession: false })] })));
    expect(found).toMatchObject({ kind: 'missing-session', subject: 'w2', text: 'w2 should be running but has no tmux session', fix: { key: 'start', label: 'start it' } });
    expect(diagnose(agreeing({ sessions: ['w1'], workers: [w1, worker('w2', { hasSession: false, desired: 'stopped' })] }))).toEqual([]);
    expect(diagnose(agreeing({ sessions: ['w1'], workers: [w1, worker('w2', { hasSession: false, desired: null })] }))).toEqual([]);
  });

  it('a lease held by a worker not in the config is offered to be expired', () => {
    const t = task('claimed', { assignee: 'w9', lease: { holder: 'w9', expiresAt: NOW - 1 } });
    const found = only(diagnose(agreeing({ tasks: [t], workers: [worker('w1'), worker('w2')] })));
    expect(found).toMatchObject({ kind: 'gone-lease', subject: 'T1', text: 'T1 is claimed and held by w9, which is not in the config' });
    expect(found.fix).toEqual({ key: 'release-lease', label: 'expire the lease (its branch and checkpoints are kept)' });
  });

  it('a live lease of a configured worker with no session is gone; an expired one is the dispatcher’s', () => {
    const down = [worker('w1', { hasSession: false, desired: 'stopped', branch: 'muxctl/t1-fix-the-parser' }), worker('w2')];
    const found = only(diagnose(agreeing({ workers: down, sessions: ['w2'] })));
    expect(found.kind).toBe('gone-lease');
    expect(found.text).toBe('T1 is running and held by w1, whose lease is live for 10 minutes more but which has no tmux session');
    const expired = task('running', { lease: { holder: 'w1', expiresAt: NOW - 1 } });
    expect(diagnose(agreeing({ tasks: [expired], workers: down, sessions: ['w2'] }))).toEqual([]);
  });

  it('an integration worktree with no lander holding the lock is left over', () => {
    const integrationWorktrees = [
      { path: '/wt/_land', registered: true },
      { path: '/wt/_land-old', registered: false },
    ];
    const found = diagnose(agreeing({ integrationWorktrees }));
    expect(found.map((f) => [f.kind, f.subject, f.fix?.key])).toEqual([
      ['leftover-integration', '/wt/_land', 'remove-integration'],
      ['leftover-integration', '/wt/_land-old', 'remove-integration'],
    ]);
    expect(found[0]?.fix?.label).toBe('remove it (nothing in it is work: it is reset for every landing)');
    expect(found[1]?.text).toContain('integration directory /wt/_land-old is left over');
    expect(diagnose(agreeing({ integrationWorktrees, landerLockHeld: true }))).toEqual([]);
  });

  it('lists findings grouped by kind, in a fixed order', () => {
    const tasks = [task('done', { id: 'T2', assignee: 'w2' }), task('queued', { id: 'T3', assignee: null }), task('claimed', { id: 'T4', assignee: 'w9', lease: { holder: 'w9', expiresAt: NOW + 1 } })];
    const facts: DoctorFacts = {
      tasks,
      workers: [worker('w1', { hasSession: false, dirtyFiles: ['x'] }), worker('w2')],
      sessions: ['w2', 'zz'],
      branches: { T2: onBranch(1), T3: landedAt, T4: onBranch(0) },
      integrationWorktrees: [{ path: '/wt/_land', registered: true }],
      landerLockHeld: false,
      rootCommits: [ROOT],
      hosts: [host({ name: 'b', rootCommits: null, tmux: null, sessions: ['gone-worker'], clockOffsetMs: 60_000 }), host({ name: 'a', unreachable: 'Connection refused' })],
      baseBranch: 'main',
      now: NOW,
    };
    expect(diagnose(facts).map((f) => f.kind)).toEqual([...FINDING_KINDS]);
  });
});

describe('hosts', () => {

  it('a host that answers with a clone of this repository and tmux is no finding', () => {
    // A clone whose history also holds another root (a merged-in project) is still the same repository.
    expect(diagnose(agreeing({ hosts: [host(), host({ name: 'box2', rootCommits: ['d'.repeat(40), ROOT] })] }))).toEqual([]);
  });

  it("names a session on a host's muxctl server that no worker there owns, with the command that stops it there", () => {
    const found = diagnose(agreeing({ hosts: [host({ sessions: ['gpu-1', 'old-worker', 'gpu-2'], workers: ['gpu-1', 'gpu-2'] })] }));
    expect(found.map((f) => [f.kind, f.subject, f.text, f.fix])).toEqual([
      [
        'host-orphan-session',
        'box1:old-worker',
        'tmux session "old-worker" on host box1 belongs to no worker there in the config: look at it with muxctl\'s socket there, then stop it: ssh dev@box1 tmux -L muxctl-p-box1 kill-session -t =old-worker',
        null,
      ],
    ]);
  });

  it('says what is wrong with each host, with ssh and the host named, and offers no fix', () => {
    const found = diagnose(
      agreeing({
        hosts: [
          host({ name: 'down', unreachable: 'ssh: connect to host box1 port 22: Connection refused' }),
          host({ name: 'empty', rootCommits: null }),
          host({ name: 'other', rootCommits: ['d'.repeat(40)], tmux: null }),
        ],
      }),
    );
    expect(found.map((f) => [f.kind, f.subject, f.text, f.fix])).toEqual([
      ['host-unreachable', 'down', 'host down (dev@box1) cannot be reached: ssh: connect to host box1 port 22: Connection refused', null],
      ['host-clone', 'empty', 'host empty has no clone of this repository at /srv/p: clone it there', null],
      ['host-clone', 'other', "host other: /srv/p is a clone of another repository (its first commit is ddddddd, this one's ccccccc)", null],
      ['host-tmux', 'other', 'host other has no tmux on its PATH: install tmux ≥ 3.0 there', null],
    ]);
  });

  it("says a host's clock is off once it is off by 5 s or more, ahead or behind, in a person's units", () => {
    const found = diagnose(
      agreeing({
        hosts: [
          host({ name: 'close', clockOffsetMs: 4_999 }),
          host({ name: 'ahead', clockOffsetMs: 130_400 }),
          host({ name: 'behind', clockOffsetMs: -7_200 }),
          host({ name: 'unread', clockOffsetMs: null }),
        ],
      }),
    );
    expect(found.map((f) => [f.kind, f.subject, f.text])).toEqual([
      ['host-clock', 'ahead', "host ahead's clock is 2m 10s ahead of this machine's: its workers' activity times read 2m 10s off (a worker may show idle while it works, or working after it stopped); set its clock (NTP)"],
      ['host-clock', 'behind', "host behind's clock is 7 s behind this machine's: its workers' activity times read 7 s off (a worker may show idle while it works, or working after it stopped); set its clock (NTP)"],
    ]);
  });
});
