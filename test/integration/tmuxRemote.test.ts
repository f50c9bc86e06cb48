/**
 * The tmux adapter on a host, over the ssh transport: the same Tmux class with `SshHost.program()` as its
 * runner, against a real sshd on loopback. The "host" is this machine, so the test can look at the
 * host's private tmux server directly and see that every call landed there, as written.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SshHost } from '../../src/adapters/ssh.js';
import { Tmux } from '../../src/adapters/tmux.js';
import { startSshd, type TestSshd } from '../helpers/sshd.js';
import { killTestServer, testSocket, tmux as tmuxHere } from '../helpers/tmuxSocket.js';
import { waitFor } from '../helpers/waitFor.js';

const socket = testSocket('remote');
let sshd: TestSshd;
let box: SshHost;
let scratch: string;

beforeAll(async () => {
  sshd = await startSshd();
  scratch = await realpath(await mkdtemp(join(tmpdir(), 'muxctl-remote-tmux-')));
  box = new SshHost(sshd.target('box1'), scratch);
}, 30_000);

afterAll(async () => {
  await killTestServer(socket);
  await box.close();
  await sshd.stop();
  await rm(scratch, { recursive: true, force: true });
});

it("starts, reads, types into and stops a session on the host's private tmux server", async () => {
  const remote = new Tmux(socket, { program: box.program() });
  expect(await remote.newSession({ name: 'w1', cwd: scratch, env: { GREETING: 'hello from the host' }, command: 'echo "$GREETING"; exec cat', worker: 'w1' })).toBe('created');

  // The host's own server has it (looked at here, without ssh), tagged as muxctl tags its panes.
  const here = await tmuxHere(socket, 'list-panes', '-a', '-F', '#{session_name} #{@muxctl_worker}');
  expect(here.stdout.trim()).toBe('w1 w1');
  expect((await remote.listPanes()).map((pane) => [pane.session, pane.dead])).toEqual([['w1', false]]);

  const screen = async () => ((await remote.capturePanes(['w1'], 50)).get('w1') ?? []).join('\n');
  await waitFor(async () => (await screen()).includes('hello from the host') || undefined, { what: "w1's greeting on its screen" });

  // A prompt full of shell syntax is typed as text, and submitted: cat prints it back.
  const prompt = `fix it $(touch ${scratch}/pwned); 'quoted' "double" \`tick\``;
  await remote.pasteText('w1', prompt);
  await waitFor(async () => ((await screen()).split(prompt).length - 1 === 2) || undefined, { what: 'the prompt echoed and printed back by cat' });
  expect(existsSync(join(scratch, 'pwned'))).toBe(false);
  // The paste's buffer went with it (paste-buffer -d): none is left on the host's server.
  expect((await tmuxHere(socket, 'show-buffer')).exitCode).not.toBe(0);

  expect(await remote.killSession('w1')).toBe(true);
  expect(await remote.hasSession('w1')).toBe(false);
}, 60_000);
