/**
 * The ssh transport against a real OpenSSH server on loopback (test/helpers/sshd.ts): commands as argv
 * that arrive as written, one connection for many calls in a private directory, and ssh's own words
 * when it refuses (a wrong key, a changed host key, nobody listening).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SshError, SshHost, sshControlDir, type SshTarget } from '../../src/adapters/ssh.js';
import { freePort, startSshd, type TestSshd } from '../helpers/sshd.js';

let sshd: TestSshd;
let controlDir: string;
const opened: SshHost[] = [];

beforeAll(async () => {
  sshd = await startSshd();
}, 30_000);

afterAll(async () => {
  await sshd.stop();
});

beforeEach(async () => {
  controlDir = await mkdtemp(join(tmpdir(), 'muxctl-sshctl-'));
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((host) => host.close()));
  await rm(controlDir, { recursive: true, force: true });
});

function target(overrides: Partial<SshTarget> = {}): SshTarget {
  return { ...sshd.target('box1'), ...overrides };
}

function host(overrides: Partial<SshTarget> = {}): SshHost {
  const made = new SshHost(target(overrides), controlDir);
  opened.push(made);
  return made;
}

describe('commands on a host', () => {
  it("returns the remote command's output and exit status, and passes stdin through", async () => {
    const box = host();
    const result = await box.run(['sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect({ stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode }).toEqual({ stdout: 'out', stderr: 'err', exitCode: 3 });
    expect((await box.run(['cat'], { input: 'given on stdin\n' })).stdout).toBe('given on stdin');
  });

  it('delivers a hostile argument as text: nothing in it runs on the host', async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'muxctl-hostile-'));
    try {
      const title = `fix $(touch ${scratch}/a); touch ${scratch}/b \`touch ${scratch}/c\` 'quoted' "double" && touch ${scratch}/d | x\n2nd line`;
      const result = await host().run(['printf', '%s', title]);
      expect(result.stdout).toBe(title);
      expect(['a', 'b', 'c', 'd'].filter((name) => existsSync(join(scratch, name)))).toEqual([]);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });

  it('carries every call over one connection, whose socket is in a directory only its owner can open', async () => {
    const before = sshd.logins();
    const box = host();
    for (let i = 0; i < 5; i += 1) expect((await box.run(['echo', String(i)])).stdout).toBe(String(i));
    expect(sshd.logins() - before).toBe(1);
    expect(statSync(sshControlDir({ TMPDIR: controlDir })).mode & 0o777).toBe(0o700);
  });
});

describe('two users of one host entry', () => {
  it('opening at the same moment (the dashboard and a CLI command) both get in, over one master', async () => {
    const before = sshd.logins();
    const [a, b] = await Promise.all([host().run(['echo', 'a']), host().run(['echo', 'b'])]);
    expect([a.stdout, b.stdout]).toEqual(['a', 'b']);
    expect(sshd.logins() - before).toBe(1);
  });
});

describe("refusals, in ssh's own words", () => {
  it('a key the host does not accept: SshError naming the host and what ssh said', async () => {
    const stranger = join(controlDir, 'stranger_key');
    await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', stranger]);
    const error = await host({ identityFile: stranger }).run(['true']).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SshError);
    expect((error as SshError).message).toMatch(/^host box1: ssh failed: .*Permission denied \(publickey\)/);
  });

  it('nobody listening: SshError with "Connection refused"', async () => {
    const closedPort = await freePort();
    const error = await host({ name: 'box2', port: closedPort }).run(['true']).catch((caught: unknown) => caught);
    expect((error as SshError).message).toMatch(/^host box2: ssh failed: .*Connection refused/);
  });

  it('a changed host key is refused, and the trusted key is not replaced', async () => {
    const trusting = host();
    expect((await trusting.run(['echo', 'before'])).stdout).toBe('before');
    await trusting.close();
    const trusted = readFileSync(sshd.knownHosts, 'utf8');
    await sshd.changeHostKey();
    const error = await host().run(['echo', 'after']).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SshError);
    expect((error as SshError).message).toMatch(/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/);
    expect(readFileSync(sshd.knownHosts, 'utf8')).toBe(trusted);
  }, 30_000);
});
