/**
 * `muxctl doctor` on the hosts of sessions.json, against a real OpenSSH server on loopback: the built CLI
 * logs in to each "host" (this machine, through sshd), reads the clone there, and says which host cannot
 * be reached, has no clone, or holds a clone of another repository. A clone's path full of shell syntax
 * is only a path there.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/adapters/configFile.js';
import { probeHost } from '../../src/control/hostProbe.js';
import { CLOCK_OFF_LIMIT_MS, type Finding } from '../../src/core/rules/doctor.js';
import { projectsCleanedUpAfterEach } from '../helpers/cli.js';
import { git, makeRepo, type TestRepo } from '../helpers/gitRepo.js';
import { freePort, startSshd, type TestSshd } from '../helpers/sshd.js';
import { killTestServer, tmux } from '../helpers/tmuxSocket.js';

const project = projectsCleanedUpAfterEach();
let sshd: TestSshd;
let other: TestRepo;

beforeAll(async () => {
  sshd = await startSshd();
  other = await makeRepo();
  await other.commit('OTHER.md', 'another project\n', 'the first commit of another project');
}, 30_000);

afterAll(async () => {
  await sshd.stop();
  await other.cleanup();
});

it('names each host that cannot run workers and why; a good clone is no finding', async () => {
  const p = await project('hosts', [{ name: 'w1', command: 'exec sleep 600' }]);
  const clone = join(p.repo.scratch, 'host-clone');
  await git(p.repo.scratch, 'clone', '-q', p.repo.path, clone);
  const hostile = join(p.repo.scratch, `x$(touch ${p.repo.scratch}/pwned); touch ${p.repo.scratch}/pwned2`);
  const via = sshd.hostEntry();
  await p.writeConfig({
    ...p.config,
    hosts: {
      good: { ...via, repo: clone },
      other: { ...via, repo: other.path },
      empty: { ...via, repo: hostile },
      down: { ...via, port: await freePort(), repo: clone },
    },
  });

  const doctor = await p.run(['doctor', '--json']);
  expect(doctor.exitCode, doctor.stderr).toBe(1);
  const findings = JSON.parse(doctor.stdout) as Finding[];
  expect(findings.map((f) => [f.kind, f.subject, f.fix])).toEqual([
    ['host-unreachable', 'down', null],
    ['host-clone', 'other', null],
    ['host-clone', 'empty', null],
  ]);
  const text = (subject: string) => findings.find((f) => f.subject === subject)?.text ?? '';
  expect(text('down')).toMatch(new RegExp(`^host down \\(${sshd.destination}\\) cannot be reached: .*Connection refused`));
  expect(text('other')).toMatch(new RegExp(`^host other: ${other.path} is a clone of another repository \\(its first commit is [0-9a-f]{7}, this one's [0-9a-f]{7}\\)$`));
  expect(text('empty')).toBe(`host empty has no clone of this repository at ${hostile}: clone it there`);
  expect(['pwned', 'pwned2'].filter((name) => existsSync(join(p.repo.scratch, name)))).toEqual([]);

  // The same in words, and nothing left to find once only the good host remains. The probe left each
  // host's shared connection up (a dashboard may be using it): asking again logs in nowhere.
  const logins = sshd.logins();
  const words = await p.run(['doctor']);
  expect(sshd.logins()).toBe(logins);
  expect(words.stdout).toContain('no safe fix: a person decides');
  await p.writeConfig({ ...p.config, hosts: { good: { ...via, repo: clone } } });
  const clean = await p.run(['doctor']);
  expect({ exitCode: clean.exitCode, stdout: clean.stdout }).toEqual({ exitCode: 0, stdout: 'No drift: the board and the world agree.' });

  // A session on muxctl's server there that no worker of that host names: found, with how to stop it.
  const hostSocket = `${p.socket}-good`;
  try {
    await tmux(hostSocket, 'new-session', '-d', '-s', 'stray', 'sleep 600');
    const stray = await p.run(['doctor', '--json']);
    expect(stray.exitCode).toBe(1);
    expect((JSON.parse(stray.stdout) as Finding[]).map((f) => [f.kind, f.subject, f.fix, f.text.endsWith(`tmux -L ${hostSocket} kill-session -t =stray`)])).toEqual([['host-orphan-session', 'good:stray', null, true]]);
  } finally {
    await killTestServer(hostSocket);
  }

  // The host's clock is read too: this "host" is this machine, so it is not off (no finding above).
  const config = await loadConfig(p.configFile);
  const good = config.hosts.good;
  if (good === undefined) throw new Error('no host "good" in the config');
  const facts = await probeHost(config, good);
  expect(facts.clockOffsetMs).toEqual(expect.any(Number));
  expect(Math.abs(facts.clockOffsetMs ?? Number.NaN)).toBeLessThan(CLOCK_OFF_LIMIT_MS);
}, 60_000);
