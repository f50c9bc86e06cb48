import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, readlink, readdir, rename, rm, truncate, unlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LogTailerOptions, TailResetReason } from '../../src/adapters/tail.js';
import { LogLineTooLongError, LogPatternError, LogTailer, globMatcher } from '../../src/adapters/tail.js';
import { waitFor } from '../helpers/waitFor.js';

/** A tailer plus everything it reported, for assertions. */
interface Recorder {
  tailer: LogTailer;
  lines: { file: string; line: string }[];
  resets: { file: string; why: TailResetReason }[];
  errors: Error[];
  texts(file?: string): string[];
}

let root: string;
const open: LogTailer[] = [];

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'muxctl-test-tail-'));
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((tailer) => tailer.close()));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

let dirCount = 0;
async function freshDir(): Promise<string> {
  const dir = path.join(root, `case-${++dirCount}`);
  await mkdir(dir);
  return dir;
}

async function startTailer(options: Omit<LogTailerOptions, 'onLines' | 'onReset' | 'onError'>): Promise<Recorder> {
  const recorder: Recorder = {
    tailer: undefined as unknown as LogTailer,
    lines: [],
    resets: [],
    errors: [],
    texts: (file) => recorder.lines.filter((l) => file === undefined || l.file === file).map((l) => l.line),
  };
  recorder.tailer = new LogTailer({
    ...options,
    onLines: (file, lines) => recorder.lines.push(...lines.map((line) => ({ file, line }))),
    onReset: (file, why) => recorder.resets.push({ file, why }),
    onError: (error) => recorder.errors.push(error),
  });
  open.push(recorder.tailer);
  await recorder.tailer.start();
  return recorder;
}

/** A waitFor probe: true once the lines are exactly these; otherwise throws what it has (for the timeout message). */
const linesEqual = (r: Recorder, expected: string[], file?: string) => () => {
  const got = r.texts(file);
  if (got.length === expected.length && got.every((line, i) => line === expected[i])) return true;
  throw new Error(`${got.length} of ${expected.length} lines so far, the last: ${JSON.stringify(got.slice(-2))}`);
};

describe('LogTailer', () => {
  it('delivers 5,000 lines written in bursts, in order, each exactly once', async () => {
    const dir = await freshDir();
    const file = path.join(dir, 'worker.log');
    await writeFile(file, 'already there\n');
    const r = await startTailer({ baseDir: dir, pattern: 'worker.log' });
    const expected = ['already there'];
    let pending = '';
    for (let burst = 0; burst < 50; burst++) {
      for (let i = 0; i < 100; i++) {
        const line = `line ${burst * 100 + i} ${'x'.repeat((burst * 7 + i) % 90)}`;
        expected.push(line);
        pending += `${line}\n`;
      }
      // Cut the burst at an arbitrary byte, so writes end mid-line too.
      const cut = Math.floor(pending.length * 0.37);
      await appendFile(file, pending.slice(0, cut));
      await appendFile(file, pending.slice(cut));
      pending = '';
      if (burst % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await waitFor(linesEqual(r, expected), { what: 'all 5,001 lines', timeoutMs: 15_000 });
    // A sentinel written last proves nothing more (no duplicate) was still on its way.
    await appendFile(file, 'sentinel\n');
    await waitFor(linesEqual(r, [...expected, 'sentinel']), { what: 'the sentinel after exactly 5,001 lines' });
    expect(r.tailer.stats()).toMatchObject({ files: 1, lines: 5_002 });
    expect(r.errors).toEqual([]);
  });

  it('reads an append made while a read is in flight (the trailing read)', async () => {
    const dir = await freshDir();
    const file = path.join(dir, 'busy.log');
    await writeFile(file, '');
    let appendedDuringRead = false;
    const got: string[] = [];
    const tailer = new LogTailer({
      baseDir: dir,
      pattern: 'busy.log',
      onLines: (_file, lines) => {
        got.push(...lines);
        // The first batch of a multi-chunk read: more chunks are still to come, so this write and its
        // event land while the read is in flight, past the size that read set out to reach.
        if (!appendedDuringRead) {
          appendedDuringRead = true;
          appendFileSync(file, 'written during the read\n');
        }
      },
    });
    open.push(tailer);
    await tailer.start();
    const big = Array.from({ length: 4_000 }, (_, i) => `${i} ${'y'.repeat(200)}`);
    await appendFile(file, `${big.join('\n')}\n`); // ~800 KB: several 256 KiB chunks in one read
    await waitFor(() => got.at(-1) === 'written during the read', { what: 'the line written during the read' });
    expect(got).toHaveLength(4_001);
  });

  it('holds a half-written line until its newline, and handles CRLF', async () => {
    const dir = await freshDir();
    const file = path.join(dir, 'a.log');
    await writeFile(file, '');
    const r = await startTailer({ baseDir: dir, pattern: 'a.log' });
    await appendFile(file, 'one\r\ntwo, half');
    // Wait until the tailer has READ the half line's bytes: only then does "not emitted" mean anything.
    await waitFor(() => r.tailer.stats().bytes === 'one\r\ntwo, half'.length, { what: 'the half line to be read' });
    expect(r.texts()).toEqual(['one']);
    expect(r.tailer.stats().pending).toBe('two, half'.length);
    await appendFile(file, ' and the rest\r\n');
    await waitFor(linesEqual(r, ['one', 'two, half and the rest']), { what: 'the completed line' });
    expect(r.tailer.stats().pending).toBe(0);
  });

  it('keeps a 3-byte UTF-8 character split across two writes intact', async () => {
    const dir = await freshDir();
    const file = path.join(dir, 'u.log');
    await writeFile(file, '');
    const r = await startTailer({ baseDir: dir, pattern: 'u.log' });
    const bytes = Buffer.from('price: €5 ✓\n');
    const euro = bytes.indexOf(0xe2);
    await appendFile(file, bytes.subarray(0, euro + 2)); // "price: " and the first two bytes of "€"
    await waitFor(() => r.tailer.stats().bytes === euro + 2, { what: 'the first part to be read' });
    await appendFile(file, bytes.subarray(euro + 2));
    await waitFor(linesEqual(r, ['price: €5 ✓']), { what: 'the line with € intact' });
    expect(r.texts()[0]).not.toContain('\uFFFD');
  });

  it('restarts from 0 after truncation and reads the new content', async () => {
    const dir = await freshDir();
    const file = path.join(dir, 't.log');
    await writeFile(file, 'old 1\nold 2\nold 3\n');
    const r = await startTailer({ baseDir: dir, pattern: 't.log' });
    await waitFor(linesEqual(r, ['old 1', 'old 2', 'old 3']), { what: 'the old lines' });
    await truncate(file, 0);
    await appendFile(file, 'new\n');
    await waitFor(linesEqual(r, ['old 1', 'old 2', 'old 3', 'new']), { what: 'the line after truncation' });
    expect(r.resets).toEqual([{ file, why: 'truncated' }]);
  });

  it('restarts on rotation (rename old, create new), after taking the old file’s last lines', async () => {
    const dir = await freshDir();
    const file = path.join(dir, 'r.log');
    await writeFile(file, 'before\n');
    const r = await startTailer({ baseDir: dir, pattern: 'r.log' });
    await waitFor(linesEqual(r, ['before']), { what: 'the first line' });
    await appendFile(file, 'last of the old file\n');
    await rename(file, `${file}.1`);
    await writeFile(file, 'first of the new file\n');
    await waitFor(linesEqual(r, ['before', 'last of the old file', 'first of the new file']), { what: 'lines across the rotation' });
    expect(r.resets).toEqual([{ file, why: 'rotated' }]);
    await appendFile(file, 'more\n');
    await waitFor(linesEqual(r, ['before', 'last of the old file', 'first of the new file', 'more']), { what: 'appends to the new file' });
    expect(r.texts(`${file}.1`)).toEqual([]);
  });

  it('treats a deleted and re-created file as rotated', async () => {
    const dir = await freshDir();
    const file = path.join(dir, 'd.log');
    await writeFile(file, 'one\n');
    const r = await startTailer({ baseDir: dir, pattern: 'd.log' });
    await waitFor(linesEqual(r, ['one']), { what: 'the first line' });
    await unlink(file);
    await waitFor(() => r.tailer.stats().files === 0, { what: 'the deleted file to be let go' });
    await writeFile(file, 'two\n');
    await waitFor(linesEqual(r, ['one', 'two']), { what: 'the re-created file' });
    expect(r.resets).toEqual([{ file, why: 'rotated' }]);
  });

  it('picks up a file created after start, from its first byte (glob, pick all)', async () => {
    const dir = await freshDir();
    await writeFile(path.join(dir, 'a.log'), 'a1\n');
    await writeFile(path.join(dir, 'ignored.txt'), 'nope\n');
    const r = await startTailer({ baseDir: dir, pattern: '*.log', pick: 'all' });
    await waitFor(linesEqual(r, ['a1']), { what: 'the existing file' });
    await writeFile(path.join(dir, 'b.log'), 'b1\nb2\n');
    await writeFile(path.join(dir, 'other.txt'), 'nope\n');
    await waitFor(linesEqual(r, ['b1', 'b2'], path.join(dir, 'b.log')), { what: 'the new file' });
    await appendFile(path.join(dir, 'a.log'), 'a2\n');
    await waitFor(linesEqual(r, ['a1', 'a2'], path.join(dir, 'a.log')), { what: 'the first file still followed' });
    expect(r.texts()).not.toContain('nope');
    expect(r.tailer.stats().files).toBe(2);
  });

  it('waits for a directory that does not exist yet', async () => {
    const dir = await freshDir();
    const r = await startTailer({ baseDir: dir, pattern: 'later/deeper/*.jsonl' });
    expect(r.tailer.stats().files).toBe(0);
    await mkdir(path.join(dir, 'later', 'deeper'), { recursive: true });
    await writeFile(path.join(dir, 'later', 'deeper', 's.jsonl'), '{"n":1}\n');
    await waitFor(linesEqual(r, ['{"n":1}']), { what: 'a file in the directory made after start' });
  });

  /** A tailer on <fresh>/logs/*.log that has read w.log's first line, "one". */
  async function followingLogsDir() {
    const parent = await freshDir();
    const dir = path.join(parent, 'logs');
    await mkdir(dir);
    await writeFile(path.join(dir, 'w.log'), 'one\n');
    const r = await startTailer({ baseDir: parent, pattern: 'logs/*.log' });
    await waitFor(linesEqual(r, ['one']), { what: 'the first line' });
    return { dir, r };
  }

  it('survives its directory being removed and made again', async () => {
    const { dir, r } = await followingLogsDir();
    await rm(dir, { recursive: true });
    await waitFor(() => r.tailer.stats().files === 0, { what: 'the removed file to be let go' });
    await mkdir(dir);
    await writeFile(path.join(dir, 'w.log'), 'two\n');
    await waitFor(linesEqual(r, ['one', 'two']), { what: 'the file in the new directory' });
    await appendFile(path.join(dir, 'w.log'), 'three\n');
    await waitFor(linesEqual(r, ['one', 'two', 'three']), { what: 'appends in the new directory' });
    expect(r.resets).toEqual([{ file: path.join(dir, 'w.log'), why: 'rotated' }]);
  });

  it('survives its directory being removed and made again at once, which ext4 gives the same inode', async () => {
    const { dir, r } = await followingLogsDir();
    await rm(path.join(dir, 'w.log'));
    await waitFor(() => r.tailer.stats().files === 0, { what: 'the removed file to be let go' });
    // Removed and made again before the tailer hears of it: when it looks, a directory is there, with
    // the old one's inode number. Then a log appears only in the new one.
    rmSync(dir, { recursive: true });
    mkdirSync(dir);
    await writeFile(path.join(dir, 'w.log'), 'two\n');
    await waitFor(linesEqual(r, ['one', 'two']), { what: 'the file in the new directory' });
    await appendFile(path.join(dir, 'w.log'), 'three\n');
    await waitFor(linesEqual(r, ['one', 'two', 'three']), { what: 'appends in the new directory' });
  });

  it('with pick newest, follows the newest match and switches to a newer one', async () => {
    const dir = await freshDir();
    const older = path.join(dir, 'older.jsonl');
    const current = path.join(dir, 'current.jsonl');
    await writeFile(older, '{"s":"older"}\n');
    await writeFile(current, '{"s":"current"}\n');
    const past = new Date(Date.now() - 60_000);
    await utimes(older, past, past);
    const r = await startTailer({ baseDir: dir, pattern: '*.jsonl', pick: 'newest' });
    await waitFor(linesEqual(r, ['{"s":"current"}']), { what: 'the newest file only' });
    expect(r.tailer.stats().files).toBe(1);

    const next = path.join(dir, 'next.jsonl');
    await writeFile(next, '{"s":"next 1"}\n');
    await waitFor(linesEqual(r, ['{"s":"next 1"}'], next), { what: 'the switch to the newer file' });
    await appendFile(next, '{"s":"next 2"}\n');
    await waitFor(linesEqual(r, ['{"s":"next 1"}', '{"s":"next 2"}'], next), { what: 'appends to the newer file' });
    expect(r.tailer.stats().files).toBe(1);

    // A session resumed in an older file makes it the newest again: only its new lines show.
    await appendFile(older, '{"s":"older resumed"}\n');
    await waitFor(linesEqual(r, ['{"s":"older resumed"}'], older), { what: 'the switch back to the resumed file' });
    expect(r.texts()).not.toContain('{"s":"older"}');
  });

  it('with startAt end, skips what was there and reads what is appended', async () => {
    const dir = await freshDir();
    const file = path.join(dir, 'e.log');
    await writeFile(file, 'history 1\nhistory 2\n');
    const r = await startTailer({ baseDir: dir, pattern: 'e.log', startAt: 'end' });
    await appendFile(file, 'fresh\n');
    await waitFor(linesEqual(r, ['fresh']), { what: 'only the appended line' });
  });

  it('drops a 10 MB line without newline, keeps memory under the cap, and reports it once', async () => {
    const dir = await freshDir();
    const file = path.join(dir, 'blob.bin');
    await writeFile(file, 'before\n');
    const cap = 1024 * 1024;
    const r = await startTailer({ baseDir: dir, pattern: 'blob.bin', maxLineBytes: cap });
    const block = Buffer.alloc(1024 * 1024, 0x41);
    let maxPending = 0;
    for (let i = 0; i < 10; i++) {
      await appendFile(file, block);
      maxPending = Math.max(maxPending, r.tailer.stats().pending);
    }
    const total = 'before\n'.length + 10 * block.length;
    await waitFor(
      () => {
        maxPending = Math.max(maxPending, r.tailer.stats().pending);
        return r.tailer.stats().bytes === total;
      },
      { what: 'all 10 MB to be read', intervalMs: 5 },
    );
    expect(maxPending).toBeLessThanOrEqual(cap);
    expect(r.tailer.stats().pending).toBe(0);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toBeInstanceOf(LogLineTooLongError);
    expect(r.errors[0]?.message).toContain('blob.bin');
    await appendFile(file, ' end of the blob\nafter\n');
    await waitFor(linesEqual(r, ['before', 'after']), { what: 'the line after the blob' });
    expect(r.errors).toHaveLength(1);
  });

  it('close() stops callbacks and leaves no watcher or file handle behind', async () => {
    const dir = await freshDir();
    const file = path.join(dir, 'c.log');
    await writeFile(file, 'one\n');
    const watchers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'FSEventWrap').length;
    const handlesInto = async (into: string) => {
      const fds = await readdir('/proc/self/fd').catch(() => [] as string[]);
      const targets = await Promise.all(fds.map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')));
      return targets.filter((target) => target.startsWith(into));
    };
    const baseline = watchers();
    const r = await startTailer({ baseDir: dir, pattern: '*.log' });
    await waitFor(linesEqual(r, ['one']), { what: 'the first line' });
    expect(watchers()).toBe(baseline + 1);
    if (process.platform === 'linux') expect(await handlesInto(dir)).toEqual([file]);

    await appendFile(file, 'two\n'); // an event in flight while closing
    await r.tailer.close();
    const seenAtClose = r.lines.length;
    expect(watchers()).toBe(baseline);
    if (process.platform === 'linux') expect(await handlesInto(dir)).toEqual([]);

    // A second tailer is the witness: once it has seen a later line, the closed one would have too.
    const witness = await startTailer({ baseDir: dir, pattern: '*.log', startAt: 'end' });
    await appendFile(file, 'three\n');
    await writeFile(path.join(dir, 'new.log'), 'four\n');
    await waitFor(() => witness.texts().includes('three') && witness.texts().includes('four'), { what: 'the witness to see the late lines' });
    expect(r.lines.length).toBe(seenAtClose);
    expect(r.texts()).not.toContain('three');
  });

  it('refuses wildcards in directories with a clear message', () => {
    expect(() => new LogTailer({ baseDir: root, pattern: 'logs/*/x.jsonl', onLines: () => undefined })).toThrow(LogPatternError);
    expect(() => new LogTailer({ baseDir: root, pattern: 'logs/*/x.jsonl', onLines: () => undefined })).toThrow(/file name only/);
  });
});

describe('globMatcher', () => {
  it.each([
    ['*.jsonl', 'abc.jsonl', true],
    ['*.jsonl', 'abc.json', false],
    ['*.jsonl', '.hidden.jsonl', false],
    ['out.{log,txt}', 'out.txt', true],
    ['out.{log,txt}', 'out.md', false],
    ['w[0-9].log', 'w7.log', true],
    ['w[!0-9].log', 'w7.log', false],
    ['a+b(1).log', 'a+b(1).log', true],
    ['a.log', 'aXlog', false],
  ])('%s vs %s → %s', (glob, name, expected) => {
    expect(globMatcher(glob)(name)).toBe(expected);
  });
});
