/**
 * One file a tailer follows: its open handle, the offset the next read starts at, and the unfinished
 * last line. Each byte is read once, with `read(buffer, position)` from the last offset; reads are
 * coalesced (at most one per `coalesceMs`, one more after a read that events arrived during, and a settle
 * read `settleMs` after the last event), so the last append is never left unread.
 *
 * The reads are synchronous (`fstatSync`, `readSync` on the open descriptor): measured under `npm run
 * bench`'s ingest (20 files, 500 lines/s each, ~400 reads/s), the promise API's stat, fstat and read
 * cost ~12% of a core on the main thread plus the thread pool's wake-ups; the same reads done
 * synchronously cost a few microseconds each. The path is looked at again (is it still this file?) only
 * after a rename in the directory, on the settle read, and on a read asked for from outside: an append
 * never renames.
 */
import type { Stats } from 'node:fs';
import { fstatSync, readSync, statSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { MuxctlError } from '../core/errors.js';

export type TailResetReason = 'truncated' | 'rotated';

/** A line longer than the limit was dropped (a binary file, or a log without newlines). */
export class LogLineTooLongError extends MuxctlError {
  constructor(
    readonly file: string,
    readonly limit: number,
  ) {
    super(
      `${file}: a line longer than ${limit} bytes was skipped (is it a binary file, or a log without newlines?). ` +
        'Point log.path at a text log, or raise the line limit.',
    );
  }
}

/** A log file or its directory could not be read. */
export class LogReadError extends MuxctlError {
  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    const code = (cause as NodeJS.ErrnoException | null)?.code;
    const hint = code === 'EACCES' || code === 'EPERM' ? ' Check its permissions.' : '';
    super(`Cannot read log ${file}: ${cause instanceof Error ? cause.message : String(cause)}.${hint}`);
  }
}

const CHUNK_BYTES = 256 * 1024;
const NEWLINE = 0x0a;
const CR = 0x0d;

export interface FileLimits {
  maxLineBytes: number;
  coalesceMs: number;
  settleMs: number;
}

/** What a followed file asks of its tailer. */
export interface FileHost {
  /** Once true, nothing more is read or delivered. */
  closed(): boolean;
  /** Complete lines, `mtimeMs` being the file's modification time at the read. */
  lines(file: string, lines: string[], mtimeMs: number): void;
  reset(file: string, why: TailResetReason): void;
  report(error: unknown): void;
  bytesRead(count: number): void;
  /** Another file now has this one's path (a rotation): follow it from its start. */
  replaced(file: string): Promise<void>;
}

export class FollowedFile {
  private handle: FileHandle | null;
  readonly ino: number;
  readonly dev: number;
  private offset: number;
  /** Bytes after the last newline: a line still being written (kept as bytes so split UTF-8 survives). */
  private partial: Buffer[] = [];
  private partialBytes = 0;
  /** Inside a line that passed the limit: drop bytes until its newline. */
  private skipping = false;
  private reading: Promise<void> | null = null;
  /** An event arrived while reading: read again afterwards. */
  private dirty = false;
  private timer: NodeJS.Timeout | null = null;
  private settle: NodeJS.Timeout | null = null;
  private lastReadAt = 0;
  private lastEventAt = 0;
  /** Something in the directory was renamed (or it is the settle read): check the path is still this file. */
  private checkPath = false;
  /** The file's modification time at the last read. */
  private mtimeMs: number;

  constructor(
    readonly file: string,
    handle: FileHandle,
    st: Stats,
    offset: number,
    private readonly host: FileHost,
    private readonly limits: FileLimits,
  ) {
    this.handle = handle;
    this.ino = st.ino;
    this.dev = st.dev;
    this.offset = offset;
    this.mtimeMs = st.mtimeMs;
  }

  /** False once the file is released or gone; the record stays, to notice a rotation. */
  get isOpen(): boolean {
    return this.handle !== null;
  }

  /** Bytes held as the unfinished last line. */
  get pendingBytes(): number {
    return this.partialBytes;
  }

  /** Where to come back to: the start of an unfinished line, so it is re-read whole. */
  resumePoint(): { ino: number; offset: number } {
    return { ino: this.ino, offset: this.offset - this.partialBytes };
  }

  /** The directory said the file changed (`rename` when a name came or went). */
  onEvent(event = 'change'): void {
    if (event === 'rename') this.checkPath = true;
    this.lastEventAt = Date.now();
    // One timer for the settle read, moved on only when it fires (re-arming a timer on every event of a
    // busy file costs more than the read).
    if (!this.settle) this.armSettle(this.limits.settleMs);
    this.scheduleRead();
  }

  /** Reads what is new now (or joins the read in flight); schedules one more if events came meanwhile. */
  readNow(): Promise<void> {
    this.checkPath = true;
    return this.read();
  }

  private read(): Promise<void> {
    if (this.reading) return this.reading;
    this.dirty = false;
    this.lastReadAt = Date.now();
    this.reading = this.readCycle()
      .catch((error) => this.host.report(error instanceof MuxctlError ? error : new LogReadError(this.file, error)))
      .finally(() => {
        this.reading = null;
        if (this.dirty) this.scheduleRead();
      });
    return this.reading;
  }

  private armSettle(ms: number): void {
    this.settle = setTimeout(() => {
      const quiet = Date.now() - this.lastEventAt;
      if (quiet < this.limits.settleMs) {
        this.armSettle(this.limits.settleMs - quiet);
        return;
      }
      this.settle = null;
      this.checkPath = true;
      this.scheduleRead();
    }, ms);
  }

  /** Stops timers and closes the handle once no read is using it; the record stays, to notice a rotation. */
  async release(): Promise<void> {
    const handle = this.detach();
    if (this.reading) await this.reading.catch(() => undefined);
    await handle?.close().catch(() => undefined);
  }

  private scheduleRead(): void {
    if (this.host.closed() || !this.handle) return;
    if (this.reading) {
      this.dirty = true;
      return;
    }
    if (this.timer) return;
    const wait = Math.max(0, this.lastReadAt + this.limits.coalesceMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.read();
    }, wait);
  }

  private async readCycle(): Promise<void> {
    const handle = this.handle;
    if (this.host.closed() || !handle) return;
    if (this.checkPath) {
      this.checkPath = false;
      const atPath = statOrNull(this.file);
      if (!atPath || atPath.ino !== this.ino || atPath.dev !== this.dev) {
        // Renamed away or deleted: take what the old file still holds, then start on the new one (if any).
        await this.readAppended(handle);
        this.flushPartial();
        // Not release(): it waits for this very read.
        await this.detach()?.close();
        if (atPath && !this.host.closed()) await this.host.replaced(this.file);
        return;
      }
    }
    await this.readAppended(handle);
  }

  private async readAppended(handle: FileHandle): Promise<void> {
    const { size, mtimeMs } = fstatSync(handle.fd);
    this.mtimeMs = mtimeMs;
    if (size < this.offset) {
      this.offset = 0;
      this.partial = [];
      this.partialBytes = 0;
      this.skipping = false;
      this.host.reset(this.file, 'truncated');
    }
    while (this.offset < size && !this.host.closed()) {
      const want = Math.min(CHUNK_BYTES, size - this.offset);
      const buffer = Buffer.allocUnsafe(want);
      const bytesRead = readSync(handle.fd, buffer, 0, want, this.offset);
      if (bytesRead === 0 || this.host.closed()) break;
      const from = this.offset === 0 && hasBom(buffer, bytesRead) ? 3 : 0;
      this.offset += bytesRead;
      this.host.bytesRead(bytesRead);
      this.emitLines(this.splitLines(buffer.subarray(from, bytesRead)));
      // A long file (a log read whole at start) is read a chunk at a time, letting keys and frames through.
      if (this.offset < size) await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Complete lines of a chunk; the rest waits in `partial` (bounded by maxLineBytes). */
  private splitLines(chunk: Buffer): string[] {
    const { maxLineBytes } = this.limits;
    const lines: string[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE, start); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
      if (this.skipping) this.skipping = false;
      else if (this.partialBytes + nl - start > maxLineBytes) this.host.report(new LogLineTooLongError(this.file, maxLineBytes));
      else if (this.partialBytes === 0) lines.push(decodeLine(chunk.subarray(start, nl)));
      else lines.push(decodeLine(Buffer.concat([...this.partial, chunk.subarray(start, nl)])));
      this.partial = [];
      this.partialBytes = 0;
      start = nl + 1;
    }
    const rest = chunk.length - start;
    if (rest === 0 || this.skipping) return lines;
    if (this.partialBytes + rest > maxLineBytes) {
      this.host.report(new LogLineTooLongError(this.file, maxLineBytes));
      this.partial = [];
      this.partialBytes = 0;
      this.skipping = true;
    } else {
      // A copy, so the (up to 256 KiB) read buffer is not kept alive by a short tail.
      this.partial.push(Buffer.from(chunk.subarray(start)));
      this.partialBytes += rest;
    }
    return lines;
  }

  /** The file is finished (gone or replaced): its unterminated last line is as complete as it gets. */
  private flushPartial(): void {
    if (this.partialBytes > 0 && !this.skipping) this.emitLines([decodeLine(Buffer.concat(this.partial))]);
    this.partial = [];
    this.partialBytes = 0;
    this.skipping = false;
  }

  private emitLines(lines: string[]): void {
    this.host.lines(this.file, lines, this.mtimeMs);
  }

  /** Stops the file's timers and takes its handle away (the caller closes it). */
  private detach(): FileHandle | null {
    if (this.timer) clearTimeout(this.timer);
    if (this.settle) clearTimeout(this.settle);
    this.timer = null;
    this.settle = null;
    const handle = this.handle;
    this.handle = null;
    return handle;
  }
}

function statOrNull(file: string): Stats | null {
  try {
    return statSync(file, { throwIfNoEntry: false }) ?? null;
  } catch {
    return null;
  }
}

function decodeLine(bytes: Buffer): string {
  const end = bytes.length > 0 && bytes[bytes.length - 1] === CR ? bytes.length - 1 : bytes.length;
  return bytes.toString('utf8', 0, end);
}

function hasBom(buffer: Buffer, length: number): boolean {
  return length >= 3 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf;
}
