/** Preparing a new worktree, the pure part: the include patterns, which files are copied, when, the ports, the failure's words. */
import { describe, expect, it } from 'vitest';
import { type ProjectConfig } from '../../src/core/config/config.js';
import { parseConfig } from '../../src/core/config/parse.js';
import { includeMatcher, leavesCheckout, parseIncludeFile } from '../../src/core/config/includeGlob.js';
import { filesToCopy, preparationDue, preparedSummary, setupFailure, setupSucceeded, workerPort, type SetupRun } from '../../src/core/rules/worktreePrep.js';

describe('includeMatcher: patterns read like .gitignore lines', () => {
  const cases: Array<[string[], string, boolean]> = [
    [['.env'], '.env', true],
    [['.env'], 'pkg/api/.env', true], // no "/": any depth
    [['.env'], '.env.local', false],
    [['.env*'], '.env.local', true],
    [['*.local.json'], 'config/app.local.json', true],
    [['*.local'], '.env.local', true], // "*" names dot files, as in git
    [['config/*.local.json'], 'config/app.local.json', true],
    [['config/*.local.json'], 'pkg/config/app.local.json', false], // a "/" in the middle: from the root
    [['config/*.local.json'], 'config/sub/app.local.json', false], // "*" does not cross "/"
    [['config/**/*.json'], 'config/sub/deep/a.json', true],
    [['/.env'], '.env', true],
    [['/.env'], 'pkg/.env', false], // a leading "/": the root only
    [['secrets/'], 'secrets/a/b.key', true], // a directory names what is under it
    [['secrets/'], 'secrets', false], // a trailing "/": directories only
    [['secrets'], 'secrets/key', true],
    [['certs'], 'certs', true],
    [['.env', '!.env'], '.env', false], // the last match decides
    [['!.env', '.env'], '.env', true],
    [['config/', '!config/big.json'], 'config/big.json', false],
    [['config/', '!config/big.json'], 'config/small.json', true],
    [['.env{,.local}'], '.env.local', true],
    [['\\#notes'], '#notes', true],
    [['\\!important'], '!important', true],
    [['out (1).txt'], 'out (1).txt', true], // "(" and ")" are characters of the name
    [['out (1).txt'], 'out 1.txt', false],
    [['../outside'], 'outside', false], // refused, never matched
    [[], '.env', false],
  ];
  it.each(cases)('%j names %s: %s', (patterns, path, named) => {
    expect(includeMatcher(patterns)(path)).toBe(named);
  });

  it('reads an include file: one pattern a line, # comments and blank lines left out, trailing spaces dropped', () => {
    expect(parseIncludeFile('# local files\n.env\n\n  \nconfig/*.local.json   \r\n\\#hash\n!.env.example\n')).toEqual(['.env', 'config/*.local.json', '\\#hash', '!.env.example']);
  });

  it('says which patterns would leave the checkout', () => {
    expect(leavesCheckout('../x')).toBe(true);
    expect(leavesCheckout('!a/../../x')).toBe(true);
    expect(leavesCheckout('a..b/.env')).toBe(false);
  });
});

describe('filesToCopy: only untracked files the lists name, never muxctl\'s own or another worktree\'s', () => {
  const candidates = ['.env', '.env.local', 'node_modules/x/index.js', 'config/app.local.json', 'config/other.json', '.muxctl/state.db', '.muxctl/logs/w1.events.jsonl', 'wt/w1/.env', 'vendor/nested/', '.git/config', 'a/../.env'];

  it('takes each list on its own and joins them, sorted', () => {
    expect(filesToCopy({ candidates, copy: ['.env'], include: ['config/*.local.json', '.env.local'], exclude: ['.muxctl', 'wt'] })).toEqual(['.env', '.env.local', 'config/app.local.json']);
  });

  it('a "!" in one list does not take back what the other names', () => {
    expect(filesToCopy({ candidates, copy: ['.env*'], include: ['!.env'], exclude: ['wt'] })).toEqual(['.env', '.env.local']);
  });

  it('never copies from .muxctl/, a worktree directory inside the repo, .git, a nested repository or a path with ".."', () => {
    expect(filesToCopy({ candidates, copy: ['**'], include: [], exclude: ['.muxctl', 'wt/'] })).toEqual(['.env', '.env.local', 'config/app.local.json', 'config/other.json', 'node_modules/x/index.js']);
  });

  it('copies nothing without patterns', () => {
    expect(filesToCopy({ candidates, copy: [], include: [], exclude: [] })).toEqual([]);
  });
});

describe('preparationDue: once per worktree, again only when the last one did not finish', () => {
  it.each([
    [true, null, true],
    [true, { state: 'done' as const, at: 1 }, true], // a worktree just made (its git dir is new: cannot happen, but made means prepare)
    [false, null, false], // made before `worktree` was configured, or by hand: left alone
    [false, { state: 'done' as const, at: 1 }, false],
    [false, { state: 'failed' as const, at: 1 }, true],
    [false, { state: 'pending' as const, at: 1 }, true], // muxctl was killed in the middle of it
  ])('created %s, marker %j → %s', (created, marker, due) => {
    expect(preparationDue(created, marker)).toBe(due);
  });
});

describe('workerPort: portBase plus the worker\'s index, the same at every start', () => {
  const config = (portBase?: number): ProjectConfig => {
    const text = JSON.stringify({ project: 'p', lanes: { app: {} }, workers: ['a', 'b', 'c'].map((name) => ({ name, lane: 'app', command: 'x' })), ...(portBase === undefined ? {} : { worktree: { portBase } }) });
    const result = parseConfig(text, '/p/sessions.json');
    if (!result.ok) throw new Error('bad test config');
    return result.config;
  };
  it('gives every worker its own port', () => {
    expect(['a', 'b', 'c'].map((name) => workerPort(config(), name))).toEqual([4100, 4101, 4102]);
    expect(workerPort(config(9000), 'c')).toBe(9002);
    expect(workerPort(config(), 'nobody')).toBeNull();
  });
});

describe('a failed setup says how it ended and what it printed last', () => {
  const run = (over: Partial<SetupRun>): SetupRun => ({ exitCode: 0, signal: null, timedOut: false, ms: 200, tail: [], ...over });

  it('an exit status, with the last lines', () => {
    const failed = run({ exitCode: 3, tail: ['installing', 'error: no lockfile', ''] });
    expect(setupSucceeded(failed)).toBe(false);
    const { reason, outcome } = setupFailure('sh setup.sh', failed, 300);
    expect(reason).toBe('setup `sh setup.sh` exited with status 3 after 0.2 s: error: no lockfile; the worker was not started');
    expect(outcome.split('\n')).toEqual([
      'not started: worktree setup `sh setup.sh` exited with status 3 after 0.2 s; it runs again at the next start. Its last output:',
      '    │ installing',
      '    │ error: no lockfile',
      '    │ ',
    ]);
  });

  it('a timeout, even when the process then exited 0', () => {
    const timedOut = run({ exitCode: 0, timedOut: true, ms: 5000 });
    expect(setupSucceeded(timedOut)).toBe(false);
    expect(setupFailure('sleep 99', timedOut, 5).reason).toBe('setup `sleep 99` timed out after 5 s (worktree.setupTimeoutSeconds; killed) (no output); the worker was not started');
  });

  it('a signal', () => {
    expect(setupFailure('x', run({ exitCode: null, signal: 'SIGKILL', ms: 1500 }), 300).outcome).toMatch(/^not started: worktree setup `x` was killed by SIGKILL after 1\.5 s; .*\n {4}\(no output\)$/);
  });

  it('keeps only the last ten lines for `up`', () => {
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i}`);
    const { outcome } = setupFailure('x', run({ exitCode: 1, tail: lines }), 300);
    expect(outcome.split('\n').slice(1)).toEqual(lines.slice(-10).map((l) => `    │ ${l}`));
  });

  it('a success is an exit status 0 within the timeout', () => {
    expect(setupSucceeded(run({}))).toBe(true);
    expect(preparedSummary(['.env'], ['config/a.json'], [], { command: 'npm ci', ms: 1234 })).toBe('worktree prepared: copied .env; config/a.json already there (not overwritten); setup `npm ci` ran in 1.2 s');
    expect(preparedSummary(['1', '2', '3', '4', '5', '6', '7'], [], [], null)).toBe('worktree prepared: copied 1, 2, 3, 4, 5 and 2 more');
  });
});
