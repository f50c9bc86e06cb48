/**
 * A real OpenSSH server on loopback for the tests of workers on other machines: its own host key,
 * an authorized client key and a known_hosts file made in a temp dir, a free port, and a log that says
 * who logged in. `.ci/run` installs openssh-server when /usr/sbin/sshd is absent.
 *
 *   const sshd = await startSshd();           // afterAll: await sshd.stop()
 *   new SshHost(sshd.target('box1'))                       // or, in sessions.json: hosts.box1 = { ...sshd.hostEntry(), repo }
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { waitFor } from './waitFor.js';
import type { SshTarget } from '../../src/adapters/ssh.js';

const SSHD = '/usr/sbin/sshd';

export interface TestSshd {
  port: number;
  /** user@127.0.0.1: the user running the tests, who logs in with `clientKey`. */
  destination: string;
  clientKey: string;
  knownHosts: string;
  /** What a host's `sshArgs` needs to trust this server alone, and no ~/.ssh/config of the developer's. */
  sshArgs: string[];
  dir: string;
  /** How many logins the server accepted so far (from its log). */
  logins(): number;
  /** How SshHost reaches this server, as a host named `name`. */
  target(name: string): SshTarget;
  /** A `hosts` entry's ssh fields for this server (its `repo` is the caller's). */
  hostEntry(): { ssh: string; port: number; identityFile: string; sshArgs: string[] };
  /** The listening server's pid (its sessions are its children), for the benchmark's CPU count. */
  pid(): number | undefined;
  /** Restarts the server on the same port with a new host key: what a man in the middle looks like. */
  changeHostKey(): Promise<void>;
  /** Ends every connection and stops listening: the host has gone away (its processes live on). */
  interrupt(): Promise<void>;
  /** Listens again on the same port, trusted as before: the host is back. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

/** A loopback port nothing listens on (for the server, or for a host that refuses connections). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function keygen(file: string): Promise<void> {
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'muxctl-test', '-f', file]);
}

export async function startSshd(): Promise<TestSshd> {
  if (!existsSync(SSHD)) throw new Error(`${SSHD} is missing: install openssh-server (sudo apt-get install openssh-server); .ci/run does`);
  const dir = await realpath(await mkdtemp(join(tmpdir(), 'muxctl-sshd-')));
  const port = await freePort();
  const user = userInfo().username;
  const hostKey = join(dir, 'host_key');
  const clientKey = join(dir, 'client_key');
  const knownHosts = join(dir, 'known_hosts');
  const log = join(dir, 'sshd.log');
  await keygen(clientKey);
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${clientKey}.pub`), { mode: 0o600 });
  // sshd running as root wants its privilege separation directory.
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });

  let server: ChildProcess | null = null;
  const start = async (): Promise<void> => {
    await rm(hostKey, { force: true });
    await rm(`${hostKey}.pub`, { force: true });
    await keygen(hostKey);
    writeFileSync(knownHosts, `[127.0.0.1]:${port} ${readFileSync(`${hostKey}.pub`, 'utf8')}`);
    writeFileSync(
      join(dir, 'sshd_config'),
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${hostKey}`,
        `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
        'PubkeyAuthentication yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PermitRootLogin prohibit-password',
        'UsePAM no',
        // The temp dir's modes are the test's, not a home directory's.
        'StrictModes no',
        `PidFile ${join(dir, 'sshd.pid')}`,
        'LogLevel INFO',
        '',
      ].join('\n'),
    );
    const child = spawn(SSHD, ['-D', '-E', log, '-f', join(dir, 'sshd_config')], { stdio: 'ignore' });
    server = child;
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`sshd exited ${child.exitCode}: ${readFileSync(log, 'utf8')}`);
        const scan = await execa('ssh-keyscan', ['-p', String(port), '-T', '2', '127.0.0.1'], { reject: false });
        return scan.stdout.includes('ssh-ed25519') || undefined;
      },
      { what: `sshd to listen on port ${port}`, timeoutMs: 15_000, intervalMs: 100, detail: () => (existsSync(log) ? readFileSync(log, 'utf8') : '') },
    );
  };
  const stopServer = async (): Promise<void> => {
    const child = server;
    server = null;
    if (child === null || child.exitCode !== null) return;
    // The connections first, while the listener is there to reap them: killed alone, it leaves each
    // logged-in session (and the client's master on it) up, and their processes unreaped.
    if (child.pid !== undefined) await execa('pkill', ['-TERM', '-P', String(child.pid)], { reject: false });
    await waitFor(async () => (await execa('pgrep', ['-P', String(child.pid)], { reject: false })).exitCode === 1 || undefined, {
      what: "sshd's sessions to end",
      timeoutMs: 5_000,
    }).catch(() => undefined);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };

  await start();
  const destination = `${user}@127.0.0.1`;
  const sshArgs = ['-F', '/dev/null', '-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'LogLevel=ERROR'];
  return {
    port,
    destination,
    clientKey,
    knownHosts,
    sshArgs,
    target: (name) => ({ name, destination, port, identityFile: clientKey, sshArgs }),
    hostEntry: () => ({ ssh: destination, port, identityFile: clientKey, sshArgs }),
    dir,
    logins: () => (existsSync(log) ? (readFileSync(log, 'utf8').match(/Accepted publickey for /g) ?? []).length : 0),
    async changeHostKey() {
      const trusted = readFileSync(knownHosts, 'utf8');
      await stopServer();
      await start();
      // The client still trusts the old key: only the server's key changed.
      writeFileSync(knownHosts, trusted);
    },
    pid: () => server?.pid,
    interrupt: stopServer,
    resume: start,
    async stop() {
      await stopServer();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
