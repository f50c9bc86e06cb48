/**
 * Follows log files on a host by offset, over that host's shared ssh connection: ONE remote call a poll
 * reads what every followed file there gained since the last one, however many workers write them. A
 * file that shrank or was replaced (another inode) is read again from its start. Offsets move only
 * when bytes arrived, so a poll lost with the connection is read again by the next: no line is lost
 * or read twice across a drop.
 *
 * The remote side is a fixed POSIX sh script; the offsets and paths are its arguments (quoted into the
 * ssh command line by SshHost, never spliced into the script). Bytes come back base64, so byte offsets
 * stay exact whatever the text holds.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { backoff } from '../core/rules/guards.js';

/** What runs a command on the host: `SshHost.run`. */
export interface RemoteRunner {
  run(remote: readonly string[], options?: { timeoutMs?: number }): Promise<{ stdout: string; stderr: string; exitCode: number }>;
}

export interface RemoteFollowOptions {
  /** An absolute path on the host. */
  file: string;
  /** Where a file already there begins; one that appears later is read from its start. */
  startAt: 'start' | 'end';
  onLines: (lines: string[], info: { mtimeMs: number }) => void;
  /** The file was truncated or replaced: what follows starts from its beginning. */
  onReset?: () => void;
}

export interface RemoteFollower {
  /** Resolves once the first read of it was made (or failed). */
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * For each (offset, inode, path): a header "offset size mtime inode" (or "-" for no file) and a line
 * of base64 for the bytes from offset to size. An offset of -1 means "from the end", an inode that
 * differs from the file's now means "another file: from the start".
 */
const SCRIPT = [
  'while [ $# -ge 3 ]; do',
  '  o=$1; n=$2; f=$3; shift 3',
  '  info=$(stat -c "%s %Y %i" "$f" 2>/dev/null || stat -f "%z %m %i" "$f" 2>/dev/null) || info=""',
  '  if [ -z "$info" ]; then printf -- "-\\n\\n"; continue; fi',
  '  s=${info%% *}; rest=${info#* }; m=${rest%% *}; i=${rest#* }',
  '  if [ "$o" -lt 0 ]; then o=$s; elif [ "$n" != "-" ] && [ "$n" != "$i" ]; then o=0; elif [ "$s" -lt "$o" ]; then o=0; fi',
  '  printf "%s %s %s %s\\n" "$o" "$s" "$m" "$i"',
  '  if [ "$s" -gt "$o" ]; then tail -c +$((o + 1)) "$f" | head -c $((s - o)) | base64 | tr -d "\\n"; fi',
  '  printf "\\n"',
  'done',
].join('\n');

/**
 * The cheap look made every poll: for each path, 1 if it exists, then one `stat` for all of them (the
 * existing ones answer, in order). One process on the host whatever the number of files; only the files
 * that changed are read, by SCRIPT, in a second call.
 */
const STAT_SCRIPT = [
  'for f; do if [ -e "$f" ]; then echo 1; else echo 0; fi; done',
  'echo --',
  'stat -c "%s %Y %i" -- "$@" 2>/dev/null || stat -f "%z %m %i" -- "$@" 2>/dev/null',
  'exit 0',
].join('\n');

/**
 * The newest file in directory $1 whose name matches the shell glob $2, `~` being the host's home: the
 * pattern is expanded by the shell as a pattern only (IFS empty: never split; nothing in it is run).
 */
const NEWEST_SCRIPT = [
  'd=$1; IFS=',
  'case $d in "~") d=$HOME ;; "~/"*) d=$HOME/${d#??} ;; esac',
  'ls -1td -- "$d"/$2 2>/dev/null | head -n 1',
  'exit 0',
].join('\n');

/** How often the newest file of a glob is looked for again (a new conversation makes a new file). */
const NEWEST_EVERY_MS = 5_000;

/** Polls after a change come every interval; each poll that finds nothing new doubles it, up to this many times. */
const QUIET_DOUBLINGS = 2;

/** A line longer than this is dropped (bounds memory on a binary file), as the local tailer does. */
const MAX_LINE_BYTES = 4 * 1024 * 1024;

interface Followed extends RemoteFollowOptions {
  /** A poll has looked at it (or failed trying) since it was followed. */
  looked: boolean;
  offset: number;
  inode: string | null;
  carry: Buffer;
}

export class HostLogReader {
  private readonly followed = new Set<Followed>();
  private running: Promise<void> | null = null;
  private soon: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** Polls in a row that found nothing new: the next one waits longer (an idle host costs less). */
  private quiet = 0;

  constructor(
    private readonly host: RemoteRunner,
    private readonly options: { intervalMs?: number; timeoutMs?: number; onError?: (error: Error) => void } = {},
  ) {}

  follow(options: RemoteFollowOptions): RemoteFollower {
    const entry: Followed = { ...options, looked: false, offset: options.startAt === 'end' ? -1 : 0, inode: null, carry: Buffer.alloc(0) };
    this.followed.add(entry);
    this.schedule();
    return {
      start: async () => {
        await this.pollSoon();
        // A poll already under way when it was followed did not look at it: the next one does.
        if (!entry.looked && this.followed.has(entry)) await this.poll();
      },
      close: async () => {
        this.followed.delete(entry);
        if (this.followed.size === 0 && this.timer !== null) {
          clearTimeout(this.timer);
          this.timer = null;
        }
      },
    };
  }

  /**
   * Follows the newest file in `dir` whose name matches the glob `pattern` (the local tailer's "newest"):
   * looked for again every few seconds, and when another file becomes the newest, that one is followed
   * from its start and the old one let go. A look that fails (the host away) changes nothing.
   */
  followNewest(options: Omit<RemoteFollowOptions, 'file'> & { dir: string; pattern: string; everyMs?: number; onFile?: (file: string) => void }): RemoteFollower {
    let current: { file: string; follower: RemoteFollower } | null = null;
    let timer: NodeJS.Timeout | undefined;
    let closed = false;
    const look = async (): Promise<void> => {
      const found = await this.newest(options.dir, options.pattern).catch(() => undefined);
      if (closed || found === undefined || found === (current?.file ?? null)) return;
      const first = current === null;
      await current?.follower.close();
      if (found !== null) options.onFile?.(found);
      current = found === null ? null : { file: found, follower: this.follow({ ...options, file: found, startAt: first ? options.startAt : 'start' }) };
      await current?.follower.start();
    };
    const again = (): void => {
      timer = setTimeout(() => void look().finally(() => closed || again()), options.everyMs ?? NEWEST_EVERY_MS);
      timer.unref();
    };
    return {
      start: async () => {
        await look();
        if (!closed) again();
      },
      close: async () => {
        closed = true;
        clearTimeout(timer);
        await current?.follower.close();
      },
    };
  }

  /** The newest file in `dir` on the host whose name matches `pattern`, or null when none does. */
  async newest(dir: string, pattern: string): Promise<string | null> {
    const result = await this.host.run(['sh', '-c', NEWEST_SCRIPT, 'sh', dir, pattern], { timeoutMs: this.options.timeoutMs ?? 10_000 });
    const file = result.stdout.split('\n')[0]?.trim() ?? '';
    return file === '' ? null : file;
  }

  /** One read of every followed file; a read under way is joined, not doubled. */
  poll(): Promise<void> {
    this.running ??= this.read().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** The followers started in one go share one poll (a worker's three files, every worker on a host). */
  private pollSoon(): Promise<void> {
    this.soon ??= delay(0).then(() => {
      this.soon = null;
      return this.poll();
    });
    return this.soon;
  }

  private schedule(): void {
    if (this.timer !== null || this.followed.size === 0) return;
    const interval = backoff(Math.min(this.quiet, QUIET_DOUBLINGS), this.options.intervalMs ?? 1000);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.poll().finally(() => this.schedule());
    }, interval);
    this.timer.unref();
  }

  private async read(): Promise<void> {
    const all = [...this.followed];
    if (all.length === 0) return;
    try {
      const changed = await this.changedFiles(all);
      if (changed.length === 0) {
        this.quiet += 1;
        return;
      }
      this.quiet = 0;
      const args = changed.flatMap((f) => [String(f.offset), f.inode ?? '-', f.file]);
      const result = await this.host.run(['sh', '-c', SCRIPT, 'muxctl-tail', ...args], { timeoutMs: this.options.timeoutMs ?? 15_000 });
      if (result.exitCode !== 0) throw new Error(`reading logs on the host failed (exit ${result.exitCode}): ${result.stderr.trim()}`);
      const lines = result.stdout.split('\n');
      changed.forEach((file, index) => {
        // A follower closed during the read is not fed.
        if (this.followed.has(file)) this.take(file, lines[index * 2] ?? '-', lines[index * 2 + 1] ?? '');
      });
    } catch (error) {
      this.options.onError?.(error as Error);
    } finally {
      for (const file of all) file.looked = true;
    }
  }

  /**
   * The files whose size or inode differ from what was read (or that were never looked at), from one
   * `stat` of them all. A file still absent stays as it is; one that appeared is read from its start.
   */
  private async changedFiles(files: readonly Followed[]): Promise<Followed[]> {
    const result = await this.host.run(['sh', '-c', STAT_SCRIPT, 'muxctl-stat', ...files.map((f) => f.file)], { timeoutMs: this.options.timeoutMs ?? 15_000 });
    if (result.exitCode !== 0) throw new Error(`looking at logs on the host failed (exit ${result.exitCode}): ${result.stderr.trim()}`);
    const [flags = '', stats = ''] = result.stdout.split('\n--');
    const present = flags.split('\n').filter((line) => line !== '');
    const facts = stats.split('\n').filter((line) => line.trim() !== '');
    let next = 0;
    return files.filter((file, index) => {
      if (present[index] !== '1') {
        if (file.offset === -1) file.offset = 0;
        return false;
      }
      const [size, , inode] = (facts[next++] ?? '').split(' ');
      return file.offset === -1 || file.inode === null || inode !== file.inode || Number(size) !== file.offset;
    });
  }

  private take(file: Followed, header: string, data: string): void {
    if (header === '-' || header === '') {
      // No file (yet): one that appears later is read from its start.
      if (file.offset === -1) file.offset = 0;
      return;
    }
    const [from, size, mtime, inode] = header.split(' ');
    const offset = Number(from);
    const end = Number(size);
    if (!Number.isFinite(offset) || !Number.isFinite(end)) return;
    const replaced = file.inode !== null && inode !== file.inode;
    if ((replaced || offset < file.offset) && file.offset > 0) {
      file.carry = Buffer.alloc(0);
      file.onReset?.();
    }
    file.inode = inode ?? null;
    const bytes = data === '' ? Buffer.alloc(0) : Buffer.from(data, 'base64');
    file.offset = offset + bytes.length;
    if (bytes.length === 0) return;
    const whole = file.carry.length === 0 ? bytes : Buffer.concat([file.carry, bytes]);
    const cut = whole.lastIndexOf(0x0a);
    if (cut === -1) {
      file.carry = whole.length > MAX_LINE_BYTES ? Buffer.alloc(0) : whole;
      return;
    }
    file.carry = Buffer.from(whole.subarray(cut + 1));
    const text = whole.subarray(0, cut).toString('utf8');
    file.onLines(text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line)), { mtimeMs: Number(mtime) * 1000 });
  }
}
