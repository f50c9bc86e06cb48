/**
 * The long-lived shell on a host, against a real sshd on loopback: each command's output, errors and
 * status come back whole and apart, one after another through one channel; a hung command or a dropped
 * connection fails that call in ssh's words and the next call gets a new shell.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SshError, SshHost } from '../../src/adapters/ssh.js';
import { SshShell } from '../../src/adapters/sshShell.js';
import { startSshd, type TestSshd } from '../helpers/sshd.js';
import { waitFor } from '../helpers/waitFor.js';

let sshd: TestSshd;
let box: SshHost;
let shell: SshShell;
let scratch: string;

beforeAll(async () => {
  sshd = await startSshd();
  scratch = await realpath(await mkdtemp(join(tmpdir(), 'muxctl-ssh-shell-')));
  box = new SshHost(sshd.target('box1'), scratch);
  shell = new SshShell(box);
}, 30_000);

afterAll(async () => {
  shell.close();
  await box.close();
  await sshd.stop();
  await rm(scratch, { recursive: true, force: true });
});

it("gives each command its own output, errors and status, in order, through one login", async () => {
  const logins = sshd.logins();
  const results = await Promise.all([
    shell.run(['printf', 'no newline at the end']),
    shell.run(['sh', '-c', 'echo out; echo err >&2; exit 3']),
    shell.run(['printf', 'two\\n\\nlines\\n']),
    shell.run(['cat']),
  ]);
  expect(results.map((r) => [r.stdout, r.stderr, r.exitCode])).toEqual([
    ['no newline at the end', '', 0],
    ['out', 'err', 3],
    ['two\n\nlines', '', 0],
    // stdin is /dev/null: a command that reads it never eats the shell's own input.
    ['', '', 0],
  ]);
  for (let i = 0; i < 20; i++) expect((await shell.run(['echo', `call ${i}`])).stdout).toBe(`call ${i}`);
  expect(sshd.logins() - logins).toBeLessThanOrEqual(1);
});

it('runs a hostile argument as text, and output that looks like a marker is only output', async () => {
  const hostile = `$(touch ${scratch}/pwned); \`touch ${scratch}/pwned2\`; echo --muxctl-0000000000000000-- 0`;
  expect((await shell.run(['echo', hostile])).stdout).toBe(hostile);
  expect([existsSync(join(scratch, 'pwned')), existsSync(join(scratch, 'pwned2'))]).toEqual([false, false]);
});

it('a command past its time fails that call, and the next call gets a new shell', async () => {
  await expect(shell.run(['sleep', '5'], { timeoutMs: 300 })).rejects.toThrow(SshError);
  expect((await shell.run(['echo', 'after'])).stdout).toBe('after');
});

it('a dropped connection fails the call as ssh failing; once the host is back, calls work again', async () => {
  expect((await shell.run(['echo', 'before'])).stdout).toBe('before');
  await sshd.interrupt();
  await expect(shell.run(['echo', 'during'])).rejects.toThrow(SshError);
  await sshd.resume();
  expect((await shell.run(['echo', 'back'])).stdout).toBe('back');
}, 30_000);

it('a master that died with the shell is opened again, so the calls after it share it rather than log in each', async () => {
  expect((await shell.run(['echo', 'up'])).stdout).toBe('up');
  await box.close(); // the master ends, and the shell's channel with it
  const logins = sshd.logins();
  await waitFor(async () => (await shell.run(['echo', 'again']).then((r) => r.stdout, () => '')) === 'again' || undefined, { what: 'the shell back', timeoutMs: 10_000 });
  for (let i = 0; i < 3; i++) expect((await box.run(['echo', `call ${i}`])).stdout).toBe(`call ${i}`);
  expect(sshd.logins() - logins).toBe(1);
}, 30_000);
