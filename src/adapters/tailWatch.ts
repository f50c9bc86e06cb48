/**
 * The tailer's view of its directory: one `fs.watch` per directory shared by every tailer there, and a
 * watch that waits for a directory not created yet (watching its nearest existing ancestor) and notices
 * when the directory is removed or replaced. Why raw `fs.watch` and not chokidar: see tail.ts.
 */
import type { FSWatcher } from 'node:fs';
import { watch } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';

/** One subscription to a directory's events; closing it leaves the others' alone. */
interface DirWatch {
  close(): void;
}

interface Listener {
  onEvent: (event: string, name: string | null) => void;
  onError: (error: Error) => void;
  /** The names it cares about (null, a name not given, goes to every listener). */
  wants: (name: string) => boolean;
}

interface SharedWatch {
  watcher: FSWatcher;
  listeners: Set<Listener>;
  /** Per name, the listeners that want it: a busy file's every append is one event, for one tailer. */
  byName: Map<string, Listener[]>;
}

/** Names a shared watch remembers the listeners of (a directory of many files starts over past it). */
const NAMES_REMEMBERED = 1024;

/**
 * One fs.watch per directory, shared by every tailer that follows files in it. A dashboard follows
 * three files a worker in `.muxctl/logs/`: with a watcher each, every append woke every tailer there
 * (60 callbacks a write with 20 workers); with one watcher asking each of them whether the name was
 * theirs, that was still ~5% of a core under `npm run bench`'s ingest (2,000 events/s). Each name now
 * goes to the listeners that want it.
 */
const sharedWatches = new Map<string, SharedWatch>();

function listenersOf(shared: SharedWatch, name: string): Listener[] {
  let wanting = shared.byName.get(name);
  if (wanting === undefined) {
    if (shared.byName.size >= NAMES_REMEMBERED) shared.byName.clear();
    wanting = [...shared.listeners].filter((l) => l.wants(name));
    shared.byName.set(name, wanting);
  }
  return wanting;
}

function watchShared(dir: string, listener: Listener): DirWatch {
  let shared = sharedWatches.get(dir);
  if (!shared) {
    const listeners: SharedWatch['listeners'] = new Set();
    const byName: SharedWatch['byName'] = new Map();
    const watcher = watch(dir, (event, name) => {
      // Never a list that changes under the loop: a listener may close (or open) a watch while this
      // event goes round, which makes new lists rather than changing this one.
      const wanting = name === null ? [...listeners] : listenersOf(created, name);
      for (const l of wanting) l.onEvent(event, name);
    });
    watcher.on('error', (error) => {
      sharedWatches.delete(dir);
      for (const l of [...listeners]) l.onError(error);
    });
    const created: SharedWatch = { watcher, listeners, byName };
    shared = created;
    sharedWatches.set(dir, shared);
  }
  const entry = { ...listener };
  const own = shared;
  own.listeners.add(entry);
  own.byName.clear();
  return {
    close() {
      own.listeners.delete(entry);
      own.byName.clear();
      if (own.listeners.size === 0) {
        own.watcher.close();
        if (sharedWatches.get(dir) === own) sharedWatches.delete(dir);
      }
    },
  };
}

/** What a DirectoryWatch asks of its tailer. */
export interface DirectoryHost {
  /** Once true, no event is passed on and no work started. */
  closed(): boolean;
  /** Runs directory-level work one piece at a time, after the work already queued. */
  enqueue(work: () => Promise<void>): void;
  /** Whether a name in the directory is one it follows (its events are passed on; others are not). */
  wants(name: string): boolean;
  /** A name in the directory changed; null when the platform did not say which. */
  changed(event: string, name: string | null): void;
  /** The directory went away: read what the followed files still hold, before it is watched again. */
  drain(): Promise<void>;
  /** The directory is watched again after it appeared or came back: look at what it holds. */
  rescan(): Promise<void>;
  /** A directory could not be watched. */
  failed(dir: string, error: unknown): void;
}

export class DirectoryWatch {
  private watcher: DirWatch | null = null;
  /** Which directory is watched: ext4 gives a directory made again at once the inode of the removed one. */
  private identity = '';

  constructor(
    private readonly dir: string,
    private readonly host: DirectoryHost,
  ) {}

  stop(): void {
    this.watcher?.close();
    this.watcher = null;
  }

  /** Watches the directory, or (while it does not exist) its nearest existing ancestor until it does. */
  async watch(): Promise<boolean> {
    for (;;) {
      const dirStat = await stat(this.dir).catch(() => null);
      if (this.host.closed()) return false;
      if (dirStat?.isDirectory()) {
        this.identity = identityOf(dirStat);
        const own = path.basename(this.dir);
        this.watcher = this.makeWatcher(this.dir, (event, name) => this.onEvent(event, name), (name) => name === own || this.host.wants(name));
        return this.watcher !== null;
      }
      const ancestor = await nearestExistingAncestor(this.dir);
      if (this.host.closed()) return false;
      // Only the next directory on the way down matters: an ancestor like $HOME sees a lot of traffic.
      const next = path.join(ancestor, path.relative(ancestor, this.dir).split(path.sep)[0] ?? '');
      const watcher = this.makeWatcher(
        ancestor,
        (_event, name) => {
          if ((name !== null && path.join(ancestor, name) !== next) || this.watcher !== watcher) return;
          watcher?.close();
          this.watcher = null;
          this.host.enqueue(async () => {
            if (await this.watch()) await this.host.rescan();
          });
        },
        (name) => path.join(ancestor, name) === next,
      );
      this.watcher = watcher;
      // It may have appeared between the look above and the watch (mkdir -p makes several at once).
      if (!(await stat(next).catch(() => null)) || this.watcher !== watcher) return false;
      watcher?.close();
      this.watcher = null;
    }
  }

  private makeWatcher(dir: string, listener: (event: string, name: string | null) => void, wants: (name: string) => boolean): DirWatch | null {
    try {
      return watchShared(dir, {
        onEvent: (event, name) => {
          if (!this.host.closed()) listener(event, name);
        },
        onError: (error) => {
          this.host.failed(dir, error);
          this.host.enqueue(() => this.onGone());
        },
        wants,
      });
    } catch (error) {
      this.host.failed(dir, error);
      return null;
    }
  }

  private onEvent(event: string, name: string | null): void {
    if (name !== null && event === 'rename' && name === path.basename(this.dir)) this.host.enqueue(() => this.checkStillThere());
    this.host.changed(event, name);
  }

  /** inotify reports the watched directory's own removal as a "rename" of its name, then goes quiet. */
  private async checkStillThere(): Promise<void> {
    const now = await stat(this.dir).catch(() => null);
    if (!now || identityOf(now) !== this.identity) await this.onGone();
  }

  private async onGone(): Promise<void> {
    if (this.host.closed() || !this.watcher) return;
    this.stop();
    await this.host.drain();
    if (await this.watch()) await this.host.rescan();
  }
}

/** The inode and its birth time: the inode number alone comes back for the next directory made. */
function identityOf(dirStat: { ino: number; birthtimeMs: number }): string {
  return `${dirStat.ino}:${dirStat.birthtimeMs}`;
}

async function nearestExistingAncestor(dir: string): Promise<string> {
  for (let at = path.dirname(dir); ; at = path.dirname(at)) {
    if ((await stat(at).catch(() => null))?.isDirectory() || at === path.dirname(at)) return at;
  }
}
