/**
 * Agent presets carry the agent's conversation over a restart. Fake `claude` and `codex` programs (small
 * scripts that take the real agents' arguments, write the real formats from test/fixtures/agent-logs, and
 * say what the real ones say when a conversation is missing) record every argv they get. Real tmux, real
 * git; the tmux server is killed between starts, as a reboot would, and `up` (Recovery) brings it back.
 */
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Services } from '../../src/app/services.js';
import { watchedWorkers } from '../../src/control/logMonitor.js';
import { projectsCleanedUpAfterEach, screenShows } from '../helpers/cli.js';
import { MUXCTL_ROOT } from '../helpers/project.js';
import { killTestServer } from '../helpers/tmuxSocket.js';
import { PERSON, servicesClosedAfterEach } from '../helpers/services.js';
import { waitFor } from '../helpers/waitFor.js';

const project = projectsCleanedUpAfterEach();
const open = servicesClosedAfterEach();

const FIXTURES = join(MUXCTL_ROOT, 'test', 'fixtures', 'agent-logs');
const CLAUDE_TRANSCRIPT = join(FIXTURES, 'claude-code', 'claudeless__v2.1.29-bash-permission-dialog__f3ba0bdb-562d-4ca3-9069-3e5122f4ccc9.jsonl');
const CODEX_ROLLOUT = join(FIXTURES, 'codex', 'localpush__rollout-2026-02-23T20-34-25-019c8bfe-ec25-79e0-97d7-bda6a9c575ff.jsonl');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * Claude Code as far as muxctl sees it: `--session-id <id>` starts a transcript under
 * $CLAUDE_CONFIG_DIR/projects/<cwd, non-alphanumerics as "-">/<id>.jsonl; `--resume <id>` carries it on,
 * or says "No conversation found with session ID: <id>" and exits 1 (also once when $FAIL_RESUME exists).
 */
const FAKE_CLAUDE = `#!/bin/sh
echo "$*" >> "$ARGV_LOG"
dir="$CLAUDE_CONFIG_DIR/projects/$(pwd | sed 's/[^A-Za-z0-9]/-/g')"
id=""; resume=""
while [ $# -gt 0 ]; do case "$1" in --session-id) id="$2"; shift;; --resume) resume="$2"; shift;; esac; shift; done
if [ -n "$resume" ]; then
  if [ ! -f "$dir/$resume.jsonl" ] || [ -f "$FAIL_RESUME" ]; then rm -f "$FAIL_RESUME"; echo "No conversation found with session ID: $resume"; exit 1; fi
  id="$resume"
fi
mkdir -p "$dir" && cat "$FIXTURE" >> "$dir/$id.jsonl"
echo "claude ready on $id"
exec sleep 600
`;

/**
 * Codex as far as muxctl sees it: names its session itself and writes a rollout under
 * $CODEX_HOME/sessions/YYYY/MM/DD/ whose first line (session_meta) holds the id and this cwd — the real
 * rollout's lines, with those two fields set; `resume <id>` carries it on, or says what codex says.
 */
const FAKE_CODEX = `#!/bin/sh
echo "$*" >> "$ARGV_LOG"
day="$CODEX_HOME/sessions/$(date +%Y/%m/%d)"
if [ "$1" = "resume" ]; then
  file=$(grep -l "\\"id\\":\\"$2\\"" "$CODEX_HOME"/sessions/*/*/*/rollout-*.jsonl 2>/dev/null | head -n 1)
  if [ -z "$file" ] || [ -f "$FAIL_RESUME" ]; then rm -f "$FAIL_RESUME"; echo "ERROR: No saved session found with ID $2. Run \\\`codex resume\\\` without an ID to choose from existing sessions."; exit 1; fi
  tail -n +2 "$FIXTURE" >> "$file"; echo "codex resumed $2"; exec sleep 600
fi
id=$(cat /proc/sys/kernel/random/uuid)
mkdir -p "$day"
file="$day/rollout-$(date +%Y-%m-%dT%H-%M-%S)-$id.jsonl"
head -n 1 "$FIXTURE" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const m=JSON.parse(s);m.payload.id=process.argv[1];m.payload.cwd=process.cwd();process.stdout.write(JSON.stringify(m)+"\\n")})' "$id" > "$file"
tail -n +2 "$FIXTURE" >> "$file"
echo "codex ready on $id"
exec sleep 600
`;

async function fakeAgent(dir: string, name: string, script: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, name);
  await writeFile(file, script);
  await chmod(file, 0o755);
  return file;
}

const argvs = async (file: string): Promise<string[]> => (await readFile(file, 'utf8').catch(() => '')).split('\n').filter((line, i, all) => line !== '' || i < all.length - 1);

async function reboot(services: Services, socket: string, worker: string) {
  await killTestServer(socket);
  const [line] = await services.recovery.bringBack([worker], PERSON, 'after a reboot');
  expect(line?.ok, line?.outcome).toBe(true);
  return { line: line?.outcome ?? '', conversation: services.workers.records()[worker]?.conversation };
}

describe('a Claude Code worker (agent preset)', () => {
  it('starts with an id of muxctl’s own, resumes it after a reboot, starts fresh when its transcript is gone, and once when the resume fails', async () => {
    const p = await project('conv-claude', []);
    const scratch = p.repo.scratch;
    const claude = await fakeAgent(join(scratch, 'bin'), 'claude', FAKE_CLAUDE);
    const argvLog = join(scratch, 'claude-argv.log');
    const failFlag = join(scratch, 'fail-resume');
    const configDir = join(scratch, 'claude-config');
    await p.writeConfig({
      ...p.config,
      workers: [{ name: 'c1', lane: 'app', agent: 'claude-code', command: [claude], env: { CLAUDE_CONFIG_DIR: configDir, ARGV_LOG: argvLog, FIXTURE: CLAUDE_TRANSCRIPT, FAIL_RESUME: failFlag } }],
    });
    const services = await open(p.configFile);
    const transcriptDir = join(configDir, 'projects', join(p.worktreeDir, 'c1').replace(/[^A-Za-z0-9]/g, '-'));

    // First start: a new conversation, with an id muxctl chose and recorded.
    const [first] = await services.recovery.bringBack(['c1'], PERSON, 'first start');
    const id1 = services.workers.records()['c1']?.conversation?.id ?? '';
    expect(id1).toMatch(UUID);
    expect(first?.outcome).toBe(`started · conversation ${id1.slice(0, 8)} new`);
    expect(await argvs(argvLog)).toEqual([`--session-id ${id1}`]);
    await screenShows(p.socket, 'c1', `claude ready on ${id1}`);

    // The tmux server dies; `up` resumes the same conversation: its transcript is there.
    const resumed = await reboot(services, p.socket, 'c1');
    expect(resumed.conversation).toEqual({ id: id1, resumed: true });
    expect(resumed.line).toBe(`started · conversation ${id1.slice(0, 8)} resumed`);
    expect((await argvs(argvLog)).at(-1)).toBe(`--resume ${id1}`);
    await screenShows(p.socket, 'c1', `claude ready on ${id1}`);

    // Its transcript deleted: nothing to resume, so a new conversation with a new id, and why.
    await rm(join(transcriptDir, `${id1}.jsonl`));
    const lost = await reboot(services, p.socket, 'c1');
    const id2 = lost.conversation?.id ?? '';
    expect(id2).toMatch(UUID);
    expect(id2).not.toBe(id1);
    expect(lost.conversation).toEqual({ id: id2, resumed: false, note: `conversation ${id1.slice(0, 8)} not found: a new one` });
    expect((await argvs(argvLog)).at(-1)).toBe(`--session-id ${id2}`);
    await screenShows(p.socket, 'c1', `claude ready on ${id2}`);

    // The agent refuses the resume ("No conversation found"): started fresh once, never looped.
    await writeFile(failFlag, '');
    const failed = await reboot(services, p.socket, 'c1');
    const id3 = failed.conversation?.id ?? '';
    expect(id3).toMatch(UUID);
    expect(failed.conversation).toEqual({ id: id3, resumed: false, note: `resuming conversation ${id2.slice(0, 8)} failed (No conversation found with session ID: ${id2}): started a new one` });
    await screenShows(p.socket, 'c1', `claude ready on ${id3}`);
    expect((await argvs(argvLog)).slice(-2)).toEqual([`--resume ${id2}`, `--session-id ${id3}`]);
    const why = services.store.events({ about: 'c1' }).at(-1);
    expect(why?.reasons.join(' ')).toContain(`resuming conversation ${id2.slice(0, 8)} failed`);

    // `status --json` shows the conversation and whether the last start resumed it.
    const status = await p.run(['status', '--json']);
    const shown = (JSON.parse(status.stdout) as { workers: Array<{ name: string; conversation: unknown }> }).workers.find((w) => w.name === 'c1');
    expect(shown?.conversation).toEqual(failed.conversation);
    expect((await argvs(argvLog)).length).toBe(5);
  });
});

describe('a Claude Code worker after /clear', () => {
  it('records the new transcript the agent began, and resumes that one after a reboot', async () => {
    const p = await project('conv-clear', []);
    const scratch = p.repo.scratch;
    const claude = await fakeAgent(join(scratch, 'bin'), 'claude', FAKE_CLAUDE);
    const argvLog = join(scratch, 'claude-argv.log');
    const configDir = join(scratch, 'claude-config');
    await p.writeConfig({
      ...p.config,
      workers: [{ name: 'c1', lane: 'app', agent: 'claude-code', command: [claude], env: { CLAUDE_CONFIG_DIR: configDir, ARGV_LOG: argvLog, FIXTURE: CLAUDE_TRANSCRIPT, FAIL_RESUME: join(scratch, 'never') } }],
    });
    const services = await open(p.configFile);
    await services.recovery.bringBack(['c1'], PERSON, 'first start');
    const id1 = services.workers.records()['c1']?.conversation?.id ?? '';
    await screenShows(p.socket, 'c1', `claude ready on ${id1}`);

    // What Claude Code does on /clear: a new transcript, under a new id, in the same folder.
    const id2 = '0b7c2f7e-1d2a-4c3b-9e8f-7a6b5c4d3e2f';
    const transcriptDir = join(configDir, 'projects', join(p.worktreeDir, 'c1').replace(/[^A-Za-z0-9]/g, '-'));
    await writeFile(join(transcriptDir, `${id2}.jsonl`), await readFile(CLAUDE_TRANSCRIPT, 'utf8'));
    expect(await services.workers.locateConversations()).toBe(true);
    expect(services.workers.records()['c1']?.conversation).toEqual({ id: id2, resumed: false, note: 'begun by the agent since its start (/clear)' });

    const resumed = await reboot(services, p.socket, 'c1');
    expect((await argvs(argvLog)).at(-1)).toBe(`--resume ${id2}`);
    expect(resumed.conversation).toEqual({ id: id2, resumed: true });
  });
});

/**
 * Gemini CLI as far as muxctl sees it: saves its chat under $GEMINI_CLI_HOME/.gemini/tmp/<project>/chats/,
 * the project folder naming its directory in `.project_root`; `--resume latest` carries the chat on.
 */
const FAKE_GEMINI = `#!/bin/sh
echo "$*" >> "$ARGV_LOG"
dir="$GEMINI_CLI_HOME/.gemini/tmp/demo-project"
mkdir -p "$dir/chats" && pwd > "$dir/.project_root"
cp "$FIXTURE" "$dir/chats/session-2026-12-02T10-00-$(date +%s%N | cut -c1-8).json"
echo "gemini ready"
exec sleep 600
`;

describe('a Gemini CLI worker (agent preset)', () => {
  it('follows the chat Gemini saved for its worktree as its log, and resumes with --resume latest', async () => {
    const p = await project('conv-gemini', []);
    const scratch = p.repo.scratch;
    const gemini = await fakeAgent(join(scratch, 'bin'), 'gemini', FAKE_GEMINI);
    const argvLog = join(scratch, 'gemini-argv.log');
    const home = join(scratch, 'gemini-home');
    const chat = join(FIXTURES, 'gemini', 'jnarowski-agentcmd__session-2025-10-29T10-36-453aa339.json');
    await p.writeConfig({ ...p.config, workers: [{ name: 'g1', lane: 'app', agent: 'gemini', command: [gemini], env: { GEMINI_CLI_HOME: home, ARGV_LOG: argvLog, FIXTURE: chat } }] });
    const services = await open(p.configFile);
    await services.recovery.bringBack(['g1'], PERSON, 'first start');
    await screenShows(p.socket, 'g1', 'gemini ready');
    expect(await argvs(argvLog)).toEqual(['']);

    await waitFor(async () => (await services.workers.locateConversations()) || services.workers.records()['g1']?.conversation?.log !== undefined, { what: "g1's saved chat found" });
    const log = services.workers.records()['g1']?.conversation?.log ?? '';
    expect(log).toMatch(new RegExp(`${home}/\\.gemini/tmp/demo-project/chats/session-.*\\.json$`));
    const [watched] = watchedWorkers(services.config(), services.workers.records());
    expect(watched?.config.log).toEqual({ path: log, format: 'gemini' });

    const resumed = await reboot(services, p.socket, 'g1');
    expect((await argvs(argvLog)).at(-1)).toBe('--resume latest');
    expect(resumed.conversation).toMatchObject({ id: null, resumed: true });
  });
});

describe('a Codex worker (agent preset)', () => {
  it('follows the rollout Codex names for its worktree, resumes it with `codex resume <id>`, and starts fresh once when that fails', async () => {
    const p = await project('conv-codex', []);
    const scratch = p.repo.scratch;
    const codex = await fakeAgent(join(scratch, 'bin'), 'codex', FAKE_CODEX);
    const argvLog = join(scratch, 'codex-argv.log');
    const failFlag = join(scratch, 'fail-resume');
    const codexHome = join(scratch, 'codex-home');
    await p.writeConfig({
      ...p.config,
      workers: [{ name: 'x1', lane: 'app', agent: 'codex', command: [codex], env: { CODEX_HOME: codexHome, ARGV_LOG: argvLog, FIXTURE: CODEX_ROLLOUT, FAIL_RESUME: failFlag } }],
    });
    const services = await open(p.configFile);

    const [first] = await services.recovery.bringBack(['x1'], PERSON, 'first start');
    expect(first?.outcome).toBe('started · conversation new');
    expect(await argvs(argvLog)).toEqual(['']);
    const ready = await screenShows(p.socket, 'x1', /codex ready on (\S+)/);
    const id = /codex ready on (\S+)/.exec(ready)?.[1] ?? '';

    // Codex named it itself: muxctl finds its rollout (session_meta.cwd is this worktree) and follows it as the log.
    await waitFor(async () => (await services.workers.locateConversations()) || services.workers.records()['x1']?.conversation?.id === id, { what: "x1's rollout found" });
    const found = services.workers.records()['x1']?.conversation;
    expect(found).toMatchObject({ id, resumed: false, log: expect.stringMatching(new RegExp(`/sessions/\\d{4}/\\d\\d/\\d\\d/rollout-.*-${id}\\.jsonl$`)) });
    const [watched] = watchedWorkers(services.config(), services.workers.records());
    expect(watched?.config.log).toEqual({ path: found?.log, format: 'codex-rollout' });

    const resumed = await reboot(services, p.socket, 'x1');
    expect((await argvs(argvLog)).at(-1)).toBe(`resume ${id}`);
    expect(resumed.conversation).toMatchObject({ id, resumed: true, log: found?.log });
    await screenShows(p.socket, 'x1', `codex resumed ${id}`);

    await writeFile(failFlag, '');
    const failed = await reboot(services, p.socket, 'x1');
    expect((await argvs(argvLog)).slice(-2)).toEqual([`resume ${id}`, '']);
    // The agent's own words, as its screen showed them (a long line is cut).
    expect(failed.conversation).toEqual({ id: null, resumed: false, note: expect.stringMatching(new RegExp(`^resuming conversation ${id.slice(0, 8)} failed \\(ERROR: No saved session found with ID ${id}\\. .*\\): started a new one$`)) });
    await screenShows(p.socket, 'x1', new RegExp(`codex ready on (?!${id})`));
    expect((await argvs(argvLog)).length).toBe(4);
  });
});
