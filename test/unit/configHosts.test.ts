/** `hosts` in sessions.json: other machines, each reached with the system ssh, each with a clone of the repository. */
import { describe, expect, it } from 'vitest';
import { formatProblems, hostOf, workerPath, type ProjectConfig } from '../../src/core/config/config.js';
import { parseConfig } from '../../src/core/config/parse.js';

const FILE = '/home/u/proj/sessions.json';

function withHosts(hosts: unknown): string {
  return JSON.stringify({ project: 'demo', lanes: { app: {} }, workers: [{ name: 'w1', lane: 'app', command: 'x' }], hosts }, null, 2);
}

function parseOk(hosts: unknown): ProjectConfig {
  const result = parseConfig(withHosts(hosts), FILE);
  if (!result.ok) throw new Error(`expected a valid config, got:\n${formatProblems(result.problems)}`);
  return result.config;
}

describe('hosts', () => {
  it('none by default', () => {
    const result = parseConfig(JSON.stringify({ project: 'demo', lanes: { app: {} }, workers: [{ name: 'w1', lane: 'app', command: 'x' }] }), FILE);
    expect(result.ok && result.config.hosts).toEqual({});
  });

  it('reads every field, and puts the worktrees beside the clone unless told', () => {
    const config = parseOk({
      box1: { ssh: 'dev@box1.example', port: 2222, identityFile: '~/.ssh/id_ed25519', sshArgs: ['-J', 'bastion'], repo: '/home/dev/src/project/', worktreeDir: '/home/dev/wt', requestWaitSeconds: 5 },
      gpu: { ssh: 'gpu', repo: '/srv/project' },
    });
    expect(config.hosts).toEqual({
      box1: { name: 'box1', ssh: 'dev@box1.example', port: 2222, identityFile: '~/.ssh/id_ed25519', sshArgs: ['-J', 'bastion'], repo: '/home/dev/src/project', worktreeDir: '/home/dev/wt', requestWaitSeconds: 5 },
      gpu: { name: 'gpu', ssh: 'gpu', sshArgs: [], repo: '/srv/project', worktreeDir: '/srv/project-worktrees', requestWaitSeconds: 60 },
    });
  });

  const refusals: Array<[string, unknown, string, string | RegExp]> = [
    ['no ssh destination', { box1: { repo: '/srv/p' } }, 'hosts.box1.ssh', /^expected an ssh destination such as "dev@box1\.example".*; the field is missing$/],
    ['an option as the destination', { box1: { ssh: '-oProxyCommand=evil', repo: '/srv/p' } }, 'hosts.box1.ssh', 'expected an ssh destination, not an option (put options in "sshArgs"); got "-oProxyCommand=evil"'],
    ['a relative repo', { box1: { ssh: 'box1', repo: 'src/p' } }, 'hosts.box1.repo', 'expected an absolute path on the host (a clone of this repository); "~" is not expanded there; got "src/p"'],
    ['"~" in repo', { box1: { ssh: 'box1', repo: '~/src/p' } }, 'hosts.box1.repo', /"~" is not expanded there; got "~\/src\/p"$/],
    ['no repo', { box1: { ssh: 'box1' } }, 'hosts.box1.repo', /^expected an absolute path on the host \(a clone of this repository\); the field is missing$/],
    ['a port out of range', { box1: { ssh: 'box1', repo: '/srv/p', port: 70000 } }, 'hosts.box1.port', 'expected a port number, 1–65535; got 70000'],
    ['sshArgs not strings', { box1: { ssh: 'box1', repo: '/srv/p', sshArgs: ['-p', 22] } }, 'hosts.box1.sshArgs[1]', 'expected a string; got 22 (write it in quotes: "22")'],
    ['a typo', { box1: { ssh: 'box1', repo: '/srv/p', identity: 'k' } }, 'hosts.box1', 'unknown field "identity" — did you mean "identityFile"?'],
    ['a bad host name', { 'box 1': { ssh: 'box1', repo: '/srv/p' } }, 'hosts["box 1"]', /^"box 1" is not a valid host name/],
    ['a request wait of no time', { box1: { ssh: 'box1', repo: '/srv/p', requestWaitSeconds: 0 } }, 'hosts.box1.requestWaitSeconds', 'expected a whole number of seconds, 1–3600; got 0'],
  ];

  it.each(refusals)('refuses %s, naming the field', (_name, hosts, path, message) => {
    const result = parseConfig(withHosts(hosts), FILE);
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems.map((p) => p.path)).toEqual([path]);
    if (typeof message === 'string') expect(problems[0]?.message).toBe(message);
    else expect(problems[0]?.message).toMatch(message);
    expect(problems[0]?.line).toBeGreaterThan(0);
  });
});

describe("a worker's host", () => {
  const workers = (host: unknown) =>
    JSON.stringify({ project: 'demo', lanes: { app: {} }, hosts: { box1: { ssh: 'box1', repo: '/srv/p' } }, workers: [{ name: 'w1', lane: 'app', command: 'x' }, { name: 'gpu-1', lane: 'app', command: 'x', host }] }, null, 2);

  it('runs the worker there: its worktree is in the host\'s worktreeDir, the others stay here', () => {
    const result = parseConfig(workers('box1'), FILE);
    if (!result.ok) throw new Error(formatProblems(result.problems));
    expect(result.config.workers.map((w) => [w.name, w.host])).toEqual([['w1', undefined], ['gpu-1', 'box1']]);
    expect(hostOf(result.config, 'gpu-1')?.name).toBe('box1');
    expect(hostOf(result.config, 'w1')).toBeNull();
    expect(workerPath(result.config, 'gpu-1')).toBe('/srv/p-worktrees/gpu-1');
    expect(workerPath(result.config, 'w1')).toBe('/home/u/proj-worktrees/w1');
  });

  it('refuses a host that is not in "hosts", naming the field and the hosts there are', () => {
    const result = parseConfig(workers('box2'), FILE);
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems.map((p) => [p.path, p.message])).toEqual([['workers[1].host', 'expected one of the hosts box1; got "box2" — did you mean "box1"?']]);
    expect(problems[0]?.line).toBeGreaterThan(0);
  });

  it('refuses a host when none are configured', () => {
    const result = parseConfig(JSON.stringify({ project: 'demo', lanes: { app: {} }, workers: [{ name: 'w1', lane: 'app', command: 'x', host: 'box1' }] }), FILE);
    expect(result.ok ? [] : result.problems.map((p) => [p.path, p.message])).toEqual([['workers[0].host', 'no "hosts" are configured; got "box1"']]);
  });

  it('refuses a host in defaults: each worker says where it runs', () => {
    const result = parseConfig(JSON.stringify({ project: 'demo', lanes: { app: {} }, hosts: { box1: { ssh: 'box1', repo: '/srv/p' } }, defaults: { host: 'box1' }, workers: [{ name: 'w1', lane: 'app', command: 'x' }] }), FILE);
    expect(result.ok ? [] : result.problems.map((p) => [p.path, p.message])).toEqual([['defaults', '"host" cannot be set in defaults — each worker sets its own']]);
  });
});
