/** The task inbox on a real directory: files move where they belong, and concurrent sweeps never double a task. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { inboxDir, processInbox, type InboxResult } from '../../src/adapters/inboxDir.js';
import type { InboxTask } from '../../src/core/parsers/inbox.js';
import { waitFor } from '../helpers/waitFor.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const LANES = ['app', 'docs'];

const cleanups: string[] = [];
afterEach(async () => {
  for (const dir of cleanups.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function makeInbox(): Promise<string> {
  const state = await mkdtemp(join(tmpdir(), 'muxctl-inbox-'));
  cleanups.push(state);
  const dir = inboxDir(state);
  await mkdir(dir);
  return dir;
}

function taskFile(title: string, lane = 'app'): string {
  return `---\ntitle: ${title}\nlane: ${lane}\n---\nDo ${title}.\n`;
}

/** An `add` that records what it was given and numbers the tasks T1, T2, … */
function recorder(): { add: (task: InboxTask, file: string) => { id: string }; added: Array<{ task: InboxTask; file: string }> } {
  const added: Array<{ task: InboxTask; file: string }> = [];
  return {
    added,
    add: (task, file) => {
      added.push({ task, file });
      return { id: `T${added.length}` };
    },
  };
}

async function sorted(dir: string): Promise<string[]> {
  return (await readdir(dir)).sort();
}

describe('processInbox', () => {
  it('makes tasks of good files and rejects bad ones with the reason beside them', async () => {
    const dir = await makeInbox();
    await writeFile(join(dir, 'good.md'), taskFile('the login fix'));
    await writeFile(join(dir, 'bad.md'), '---\ntitle: x\nlane: app\npriority: high\n---\n');
    const { add, added } = recorder();

    const results = await processInbox(dir, LANES, add);

    const reason = 'bad.md: priority: expected an integer 0–9, got "high"';
    expect(results).toEqual<InboxResult[]>([
      { file: 'bad.md', ok: false, reason },
      { file: 'good.md', ok: true, taskId: 'T1' },
    ]);
    expect(added).toEqual([{ file: 'good.md', task: { title: 'the login fix', prompt: 'Do the login fix.', lane: 'app', priority: 2, labels: [], check: null } }]);
    expect(await sorted(dir)).toEqual(['processed', 'rejected']);
    expect(await readFile(join(dir, 'processed', 'good.md'), 'utf8')).toBe(taskFile('the login fix'));
    expect(await sorted(join(dir, 'rejected'))).toEqual(['bad.md', 'bad.md.reason.txt']);
    expect(await readFile(join(dir, 'rejected', 'bad.md.reason.txt'), 'utf8')).toBe(`${reason}\n`);
  });

  it('leaves alone what is not a finished markdown file directly in the inbox', async () => {
    const dir = await makeInbox();
    const untouched = ['notes.txt', '.hidden.md', 'draft.md.tmp', 'upload.md.part', 'README'];
    for (const name of untouched) await writeFile(join(dir, name), taskFile(name));
    await mkdir(join(dir, 'later'));
    await writeFile(join(dir, 'later', 'nested.md'), taskFile('nested'));
    const { add, added } = recorder();

    expect(await processInbox(dir, LANES, add)).toEqual([]);

    expect(added).toEqual([]);
    expect(await sorted(dir)).toEqual([...untouched, 'later'].sort());
    expect(await readdir(join(dir, 'later'))).toEqual(['nested.md']);
  });

  it('adds a suffix instead of overwriting a processed or rejected file of the same name', async () => {
    const dir = await makeInbox();
    await mkdir(join(dir, 'processed'));
    await mkdir(join(dir, 'rejected'));
    await writeFile(join(dir, 'processed', 'fix.md'), 'first');
    await writeFile(join(dir, 'processed', 'fix.1.md'), 'second');
    await writeFile(join(dir, 'rejected', 'bad.md'), 'old bad');
    await writeFile(join(dir, 'rejected', 'bad.md.reason.txt'), 'old reason');
    // A reason whose file a person already deleted still keeps its name.
    await writeFile(join(dir, 'rejected', 'odd.md.reason.txt'), 'orphan reason');
    await writeFile(join(dir, 'fix.md'), taskFile('the third fix'));
    await writeFile(join(dir, 'bad.md'), 'no front matter');
    await writeFile(join(dir, 'odd.md'), '---\ntitle: x\n---\n');

    const results = await processInbox(dir, LANES, recorder().add);

    expect(results.map((result) => [result.file, result.ok])).toEqual([['bad.md', false], ['fix.md', true], ['odd.md', false]]);
    expect(await readFile(join(dir, 'processed', 'fix.md'), 'utf8')).toBe('first');
    expect(await readFile(join(dir, 'processed', 'fix.1.md'), 'utf8')).toBe('second');
    expect(await readFile(join(dir, 'processed', 'fix.2.md'), 'utf8')).toBe(taskFile('the third fix'));
    expect(await readFile(join(dir, 'rejected', 'bad.md.reason.txt'), 'utf8')).toBe('old reason');
    expect(await readFile(join(dir, 'rejected', 'bad.1.md'), 'utf8')).toBe('no front matter');
    expect(await readFile(join(dir, 'rejected', 'bad.1.md.reason.txt'), 'utf8')).toMatch(/^bad\.md: no front matter;/);
    expect(await readFile(join(dir, 'rejected', 'odd.md.reason.txt'), 'utf8')).toBe('orphan reason');
    expect(await readFile(join(dir, 'rejected', 'odd.1.md.reason.txt'), 'utf8')).toBe('odd.md: lane: missing; expected one of app, docs\n');
  });

  it('puts a file back in the inbox when the task cannot be added, for the next sweep', async () => {
    const dir = await makeInbox();
    await writeFile(join(dir, 'fix.md'), taskFile('the fix'));

    const failed = await processInbox(dir, LANES, () => {
      throw new Error('database is locked');
    });

    expect(failed).toEqual([{ file: 'fix.md', ok: false, reason: 'fix.md: could not add the task, left in the inbox to try again: database is locked' }]);
    expect(await sorted(dir)).toEqual(['fix.md']);
    expect(await readFile(join(dir, 'fix.md'), 'utf8')).toBe(taskFile('the fix'));

    expect(await processInbox(dir, LANES, recorder().add)).toEqual([{ file: 'fix.md', ok: true, taskId: 'T1' }]);
    expect(await sorted(dir)).toEqual(['processed']);
  });

  it('finds nothing in an inbox that does not exist yet', async () => {
    const dir = await makeInbox();
    expect(await processInbox(join(dir, 'absent'), LANES, recorder().add)).toEqual([]);
  });
});

/** A sweeper in its own process: says "ready", waits for "go" on stdin, then appends each task it adds to a ledger. */
const SWEEPER = `
import { appendFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { processInbox } from ${JSON.stringify(pathToFileURL(join(ROOT, 'src', 'adapters', 'inboxDir.ts')).href)};

const [dir, ledger] = process.argv.slice(2);
const lines = createInterface({ input: process.stdin });
lines.once('line', async () => {
  const results = await processInbox(dir, ['app'], (task, file) => {
    appendFileSync(ledger, JSON.stringify({ pid: process.pid, file, title: task.title }) + '\\n');
    return { id: process.pid + ':' + file };
  });
  process.stdout.write(JSON.stringify(results) + '\\n');
  lines.close();
});
process.stdout.write('ready\\n');
`;

interface Sweeper {
  child: ChildProcess;
  stdout: () => string;
  exited: Promise<number | null>;
}

function startSweeper(script: string, dir: string, ledger: string): Sweeper {
  // cwd is muxctl's root so that `--import tsx/esm` resolves to its dev dependency.
  const child = spawn(process.execPath, ['--import', 'tsx/esm', script, dir, ledger], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.on('close', done));
  return { child, stdout: () => out, exited };
}

describe('concurrent sweeps', () => {
  it('make each of 20 files exactly one task across 4 processes started together', async () => {
    const dir = await makeInbox();
    const names = Array.from({ length: 20 }, (_, index) => `task-${String(index).padStart(2, '0')}.md`);
    for (const name of names) await writeFile(join(dir, name), taskFile(name));
    const script = join(dir, '..', 'sweeper.mjs');
    const ledger = join(dir, '..', 'ledger.jsonl');
    await writeFile(script, SWEEPER);
    await writeFile(ledger, '');

    const sweepers = Array.from({ length: 4 }, () => startSweeper(script, dir, ledger));
    try {
      // Start all four sweeps at once, so they race for the same files rather than run one after another.
      await waitFor(() => sweepers.every((sweeper) => sweeper.stdout().startsWith('ready\n')), { what: '4 sweepers to be ready', timeoutMs: 20_000 });
      for (const sweeper of sweepers) sweeper.child.stdin?.end('go\n');
      expect(await Promise.all(sweepers.map((sweeper) => sweeper.exited))).toEqual([0, 0, 0, 0]);
    } finally {
      for (const sweeper of sweepers) if (sweeper.child.exitCode === null) sweeper.child.kill();
    }

    const entries = (await readFile(ledger, 'utf8')).split('\n').filter(Boolean).map((line) => JSON.parse(line) as { pid: number; file: string });
    expect(entries.map((entry) => entry.file).sort()).toEqual(names);
    const reported = sweepers.flatMap((sweeper) => JSON.parse(sweeper.stdout().split('\n')[1] ?? '[]') as InboxResult[]);
    expect(reported.filter((result) => result.ok).map((result) => result.file).sort()).toEqual(names);
    expect(reported.filter((result) => !result.ok)).toEqual([]);
    expect(await sorted(dir)).toEqual(['processed']);
    expect(await sorted(join(dir, 'processed'))).toEqual(names);
  });
});

describe('inboxDir', () => {
  it('is the inbox folder of the state directory', () => {
    expect(inboxDir(join('/repo', '.muxctl'))).toBe(join('/repo', '.muxctl', 'inbox'));
  });
});
