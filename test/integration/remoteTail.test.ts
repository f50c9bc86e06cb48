/**
 * The host log reader's remote script and its offsets, run by this machine's own sh (what ssh would
 * run on the host; the ssh part is tested in ssh.test.ts and hostWorkers.test.ts): every line once, in
 * order, across partial lines, multi-byte text, truncation, replacement and a lost poll.
 */
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { runProgram } from '../../src/adapters/program.js';
import { HostLogReader, type RemoteRunner } from '../../src/adapters/remoteTail.js';
import { waitFor } from '../helpers/waitFor.js';

let dir: string;
let failNext = false;
let calls = 0;
const here: RemoteRunner = {
  async run(remote) {
    calls += 1;
    if (failNext) {
      failNext = false;
      throw new Error('host box1: ssh failed: Connection reset');
    }
    const [file = 'sh', ...args] = remote;
    const result = await runProgram(file, args, { cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    return { stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode ?? -1 };
  },
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'muxctl-remote-tail-'));
  calls = 0;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A reader with one follower per file, collecting what each was given; polls only when asked. */
function reader(files: Array<{ file: string; startAt?: 'start' | 'end' }>) {
  const errors: string[] = [];
  const r = new HostLogReader(here, { intervalMs: 60_000, onError: (e) => errors.push(e.message) });
  const got = new Map<string, string[]>();
  const resets: string[] = [];
  const followers = files.map(({ file, startAt = 'start' }) => {
    got.set(file, []);
    return r.follow({ file, startAt, onLines: (lines) => got.get(file)?.push(...lines), onReset: () => resets.push(file) });
  });
  return { r, got, resets, errors, followers };
}

it('looks at every file of a host in one call and reads those that changed in one more, each line once, a partial line only when it is finished', async () => {
  const a = join(dir, 'a.jsonl');
  const b = join(dir, 'b.log');
  writeFileSync(a, '{"n":1}\n{"n":2}\n');
  writeFileSync(b, 'first line\nhalf of a');
  const { r, got, followers } = reader([{ file: a }, { file: b }]);
  await Promise.all(followers.map((f) => f.start()));
  expect(calls).toBe(2);
  expect(got.get(a)).toEqual(['{"n":1}', '{"n":2}']);
  expect(got.get(b)).toEqual(['first line']);

  appendFileSync(b, ' line\nnext\n');
  appendFileSync(a, '{"n":3}\n');
  await r.poll();
  expect(got.get(a)).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
  expect(got.get(b)).toEqual(['first line', 'half of a line', 'next']);
  // Nothing new: one look, no read.
  const before = calls;
  await r.poll();
  expect(got.get(b)).toHaveLength(3);
  expect(calls - before).toBe(1);
});

it('keeps byte offsets exact through multi-byte text', async () => {
  const f = join(dir, 'u.log');
  writeFileSync(f, 'héllo wörld ✓\n日本');
  const { r, got, followers } = reader([{ file: f }]);
  await followers[0]?.start();
  appendFileSync(f, '語\n🙂 end\n');
  await r.poll();
  expect(got.get(f)).toEqual(['héllo wörld ✓', '日本語', '🙂 end']);
});

it('starts a screen capture at its end, a file that appears later at its start', async () => {
  const screen = join(dir, 'screen.log');
  const later = join(dir, 'later.log');
  writeFileSync(screen, 'old output\n');
  const { r, got, followers } = reader([{ file: screen, startAt: 'end' }, { file: later, startAt: 'end' }]);
  await Promise.all(followers.map((f) => f.start()));
  expect(got.get(screen)).toEqual([]);
  appendFileSync(screen, 'new output\n');
  writeFileSync(later, 'born after the start\n');
  await r.poll();
  expect(got.get(screen)).toEqual(['new output']);
  expect(got.get(later)).toEqual(['born after the start']);
});

it('reads a truncated or replaced file again from its start, and says so', async () => {
  const f = join(dir, 'events.jsonl');
  writeFileSync(f, 'one\ntwo\n');
  const { r, got, resets, followers } = reader([{ file: f }]);
  await followers[0]?.start();
  writeFileSync(f, 'x\n');
  await r.poll();
  expect(got.get(f)).toEqual(['one', 'two', 'x']);
  // Replaced by rename, longer than what was read: another inode, read from 0.
  const next = join(dir, 'next.jsonl');
  writeFileSync(next, 'fresh one\nfresh two\nfresh three\n');
  renameSync(next, f);
  await r.poll();
  expect(got.get(f)).toEqual(['one', 'two', 'x', 'fresh one', 'fresh two', 'fresh three']);
  expect(resets).toEqual([f, f]);
});

it('a poll lost with the connection loses nothing and doubles nothing', async () => {
  const f = join(dir, 'events.jsonl');
  writeFileSync(f, 'before\n');
  const { r, got, errors, followers } = reader([{ file: f }]);
  await followers[0]?.start();
  appendFileSync(f, 'during the drop\n');
  failNext = true;
  await r.poll();
  expect(errors).toEqual(['host box1: ssh failed: Connection reset']);
  expect(got.get(f)).toEqual(['before']);
  appendFileSync(f, 'after\n');
  await r.poll();
  expect(got.get(f)).toEqual(['before', 'during the drop', 'after']);
});

it('a path full of shell syntax is only a path', async () => {
  // Run in `dir`: what a spliced path would run there would leave its files there.
  const f = join(dir, 'x$(touch pwned); `touch pwned2`.log');
  writeFileSync(f, 'safe\n');
  const { got, followers } = reader([{ file: f }]);
  await followers[0]?.start();
  expect(got.get(f)).toEqual(['safe']);
  const { existsSync } = await import('node:fs');
  expect([existsSync(join(dir, 'pwned')), existsSync(join(dir, 'pwned2'))]).toEqual([false, false]);
});

it("follows the newest file of a glob on the host, under its home's ~, and moves to a newer one from its start", async () => {
  const home = join(dir, 'home');
  const project = join(home, '.claude', 'projects', '-work-app');
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, 'old.jsonl'), '{"n":"old"}\n');
  utimesSync(join(project, 'old.jsonl'), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
  writeFileSync(join(project, 'now.jsonl'), '{"n":1}\n');
  writeFileSync(join(project, 'notes.txt'), 'not a transcript\n');
  // The host's shell says what ~ is: here, the runner's HOME.
  const atHome: RemoteRunner = {
    async run(remote) {
      const [file = 'sh', ...args] = remote;
      const result = await runProgram(file, args, { cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home } });
      return { stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode ?? -1 };
    },
  };
  const r = new HostLogReader(atHome, { intervalMs: 60_000 });
  const got: Array<[string, string]> = [];
  let file = '';
  const follower = r.followNewest({
    dir: '~/.claude/projects/-work-app',
    pattern: '*.jsonl',
    startAt: 'start',
    everyMs: 50,
    onFile: (found) => {
      file = found;
    },
    onLines: (lines) => got.push(...lines.map((line) => [file, line] as [string, string])),
  });
  await follower.start();
  expect(got).toEqual([[join(project, 'now.jsonl'), '{"n":1}']]);

  // A new conversation: a newer file, read from its start; the old one is let go of.
  writeFileSync(join(project, 'next.jsonl'), '{"n":"a"}\n{"n":"b"}\n');
  utimesSync(join(project, 'next.jsonl'), new Date(Date.now() + 5_000), new Date(Date.now() + 5_000));
  appendFileSync(join(project, 'now.jsonl'), '{"n":2}\n');
  await waitFor(() => (got.length >= 3 ? true : undefined), { what: 'the newer transcript to be read', timeoutMs: 5_000 });
  await r.poll();
  expect(got.slice(1)).toEqual([
    [join(project, 'next.jsonl'), '{"n":"a"}'],
    [join(project, 'next.jsonl'), '{"n":"b"}'],
  ]);
  await follower.close();
});

it('finds nothing (and runs nothing) for a pattern with shell syntax in it', async () => {
  writeFileSync(join(dir, 'a.jsonl'), 'x\n');
  const r = new HostLogReader(here, { intervalMs: 60_000 });
  expect(await r.newest(dir, '$(touch PWNED)*')).toBeNull();
  expect(await r.newest(dir, '*.jsonl')).toBe(join(dir, 'a.jsonl'));
  expect(existsSync(join(dir, 'PWNED'))).toBe(false);
});

it('reads a file followed while a poll is under way once its start resolves (that poll never looked at it)', async () => {
  const a = join(dir, 'a.log');
  const b = join(dir, 'b.log');
  writeFileSync(a, 'a1\n');
  writeFileSync(b, 'b1\n');
  const { r, got, followers } = reader([{ file: a }]);
  await followers[0]?.start();
  const underWay = r.poll();
  const late: string[] = [];
  await r.follow({ file: b, startAt: 'start', onLines: (lines) => late.push(...lines) }).start();
  expect(late).toEqual(['b1']);
  await underWay;
  expect(got.get(a)).toEqual(['a1']);
});
