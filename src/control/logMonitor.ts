/**
 * Follows every worker's logs and folds them into what health and the panels need. Three sources a
 * worker: the log its config names (any agent format, detected when "auto"), muxctl's own event file
 * (the demo agent and `muxctl emit` write it), and muxctl's capture of the worker's screen output. The
 * screen capture counts as a sign of life and feeds the log view, but is never read for meaning: a
 * full-screen agent redraws, and its words would be noise.
 */
import { basename, posix } from 'node:path';
import { workerLogFiles, type WorkerRecord } from '../adapters/runtime.js';
import { LogTailer } from '../adapters/tail.js';
import { EMPTY_ACTIVITY, foldEvents, type Activity, type Folded } from '../core/rules/activity.js';
import { expandLogPath, hostOf, workerPath, type HostConfig, type LogFormat, type ProjectConfig, type WorkerConfig } from '../core/config/config.js';
import type { HostLogReader } from '../adapters/remoteTail.js';
import { hostStateDir } from './fleet.js';
import { createLogParser, detectFormat, type LogEvent, type LogParser } from '../core/parsers/logs/index.js';
import { Ring } from '../core/views/ring.js';

export type LogSource = 'log' | 'events' | 'screen';

/** One line of the log view: a normalized event, redacted, with where and when it came from. */
export interface DisplayEvent {
  at: number;
  source: LogSource;
  kind: LogEvent['kind'] | 'malformed';
  level: LogEvent['level'];
  text: string;
  tool?: string;
}

export interface WorkerLogState {
  activity: Activity;
  recent: DisplayEvent[];
  /** Lines that could not be read, counted and shown, never a crash. */
  malformed: number;
  linesRead: number;
  /** Lines read from each source, for the benchmark's "none lost" count. */
  linesBySource: Record<LogSource, number>;
}

export interface LogMonitorOptions {
  /** `.muxctl/` of the project: event and screen files live in its logs/. */
  stateDir: string;
  home: string;
  /** The environment workers inherit (the tmux server is muxctl's child): where an agent keeps its files may be set there. */
  env?: Readonly<Record<string, string | undefined>>;
  redact: (text: string) => string;
  /** Events kept per worker for the log view. */
  ringSize: number;
  /** The reader of a host's log files, over its ssh connection: one remote call a poll for all its workers. */
  hostLogs?: (host: HostConfig) => HostLogReader;
  /** Called after new lines for a worker were folded in (once per read batch). */
  onChange: (worker: string) => void;
  now: () => number;
}

export interface WatchedWorker {
  config: WorkerConfig;
  /** On its host when it has one: the path there. */
  worktree: string;
  /** The host it runs on; absent: this machine. */
  host?: HostConfig;
}

/**
 * What to follow of each worker: the log its config names, else the file its agent's conversation was
 * found in (a Codex rollout, a Gemini CLI chat: recorded once the agent wrote it).
 */
export function watchedWorkers(config: ProjectConfig, records: Readonly<Record<string, Pick<WorkerRecord, 'conversation'>>>): WatchedWorker[] {
  return config.workers.map((worker) => {
    const found = records[worker.name]?.conversation?.log;
    const format = worker.agent === 'codex' ? ('codex-rollout' as const) : worker.agent === 'gemini' ? ('gemini' as const) : null;
    const withLog = worker.log === undefined && found !== undefined && format !== null ? { ...worker, log: { path: found, format } } : worker;
    const host = hostOf(config, worker.name);
    return { config: withLog, worktree: workerPath(config, worker.name), ...(host === null ? {} : { host }) };
  });
}

export class LogMonitor {
  private readonly workers = new Map<string, WorkerLogs>();
  private readonly options: LogMonitorOptions;

  constructor(options: LogMonitorOptions) {
    this.options = options;
  }

  /** Follows the given workers, starting tailers for new or changed ones and closing the rest. */
  async sync(watched: readonly WatchedWorker[]): Promise<void> {
    const wanted = new Map(watched.map((w) => [w.config.name, w] as const));
    for (const [name, logs] of this.workers) {
      const next = wanted.get(name);
      if (!next || logs.key !== sourceKey(next)) {
        this.workers.delete(name);
        await logs.close();
      }
    }
    // Started side by side: a host's workers share one read of their files, which a start one after
    // another would turn into a round trip each.
    const starting: Array<Promise<void>> = [];
    for (const w of watched) {
      if (this.workers.has(w.config.name)) continue;
      const logs = new WorkerLogs(w, this.options);
      this.workers.set(w.config.name, logs);
      starting.push(logs.start());
    }
    await Promise.all(starting);
  }

  state(worker: string): WorkerLogState {
    const logs = this.workers.get(worker);
    if (!logs) return { activity: EMPTY_ACTIVITY, recent: [], malformed: 0, linesRead: 0, linesBySource: { log: 0, events: 0, screen: 0 } };
    const ring = logs.ring;
    // `recent` is copied out of the ring only when read: the loop asks every worker's state for every
    // snapshot and reads only the activity, and a copy of 20 rings was 10,000 slots a snapshot.
    return {
      activity: logs.activity,
      get recent() {
        return ring.toArray();
      },
      malformed: logs.malformed,
      linesRead: logs.linesRead,
      linesBySource: { ...logs.linesBySource },
    };
  }

  async close(): Promise<void> {
    const all = [...this.workers.values()];
    this.workers.clear();
    await Promise.all(all.map((logs) => logs.close()));
  }
}

function sourceKey(w: WatchedWorker): string {
  return JSON.stringify([w.worktree, w.config.log ?? null, w.host ?? null]);
}

/** A shell glob's special characters: a path with one is a pattern. */
const GLOB = /[*?[{]/;

class WorkerLogs {
  readonly key: string;
  activity: Activity = EMPTY_ACTIVITY;
  readonly ring: Ring<DisplayEvent>;
  malformed = 0;
  linesRead = 0;
  readonly linesBySource: Record<LogSource, number> = { log: 0, events: 0, screen: 0 };
  private readonly tailers: Array<{ start(): Promise<void>; close(): Promise<void> }> = [];
  /** Past the first read of what the logs already held: a line read now was written now. */
  private live = false;
  private readonly parsers = new Map<string, LogParser | 'refused'>();
  private readonly name: string;

  constructor(
    private readonly watched: WatchedWorker,
    private readonly options: LogMonitorOptions,
  ) {
    this.key = sourceKey(watched);
    this.name = watched.config.name;
    this.ring = new Ring(options.ringSize);
  }

  async start(): Promise<void> {
    if (this.watched.host !== undefined) return this.startOnHost(this.watched.host);
    const files = workerLogFiles(this.options.stateDir, this.name);
    const log = this.watched.config.log;
    if (log) {
      const claudeConfigDir = this.watched.config.env.CLAUDE_CONFIG_DIR ?? this.options.env?.CLAUDE_CONFIG_DIR;
      const pattern = expandLogPath(log.path, { worktree: this.watched.worktree, home: this.options.home, claudeConfigDir });
      this.follow(pattern, 'log', log.format, GLOB.test(basename(pattern)) ? 'newest' : 'all');
    }
    this.follow(files.events, 'events', 'muxctl', 'all');
    this.follow(files.screen, 'screen', 'text', 'all');
    await Promise.all(this.tailers.map((t) => t.start()));
    this.live = true;
  }

  /**
   * A worker on a host: its event file and screen capture there (`<worktreeDir>/.muxctl`), and a log
   * path its config names exactly, read by offset over the host's connection. A glob or a path under ~
   * means the host's own files and home, which are not looked up from here yet: said once in its log view.
   */
  private async startOnHost(host: HostConfig): Promise<void> {
    const reader = this.options.hostLogs?.(host);
    if (reader === undefined) return;
    const files = workerLogFiles(hostStateDir(host), this.name);
    const log = this.watched.config.log;
    const follow = (file: string, source: LogSource, format: LogFormat): void => {
      this.tailers.push(
        reader.follow({
          file,
          startAt: source === 'screen' ? 'end' : 'start',
          onLines: (lines, info) => this.read(file, lines, source, format, info.mtimeMs),
          onReset: () => this.parsers.delete(file),
        }),
      );
    };
    if (log !== undefined) {
      // The host's home is its shell's to say: a `~` is left for it, {claudeConfigDir} is the worker's own.
      const claudeConfigDir = this.watched.config.env.CLAUDE_CONFIG_DIR ?? '~/.claude';
      const pattern = expandLogPath(log.path, { worktree: this.watched.worktree, home: null, claudeConfigDir });
      const dir = posix.dirname(pattern);
      const name = posix.basename(pattern);
      if (GLOB.test(dir)) this.note('log', 'warn', `log ${log.path}: not followed on host ${host.name} (a pattern in a directory name is not looked for there)`);
      else if (!GLOB.test(name) && !pattern.startsWith('~')) follow(pattern, 'log', log.format);
      else {
        // The newest match, as here (a conversation a file): its lines are parsed under the name it has.
        let file = '';
        this.tailers.push(
          reader.followNewest({
            dir,
            pattern: name,
            startAt: 'start',
            onLines: (lines, info) => this.read(file, lines, 'log', log.format, info.mtimeMs),
            onFile: (found) => {
              file = found;
            },
            onReset: () => this.parsers.delete(file),
          }),
        );
      }
    }
    follow(files.events, 'events', 'muxctl');
    follow(files.screen, 'screen', 'text');
    await Promise.all(this.tailers.map((t) => t.start()));
    this.live = true;
  }

  async close(): Promise<void> {
    await Promise.all(this.tailers.map((t) => t.close()));
  }

  private follow(pattern: string, source: LogSource, format: LogFormat, pick: 'all' | 'newest'): void {
    this.tailers.push(
      new LogTailer({
        baseDir: this.watched.worktree,
        pattern,
        pick,
        // A dashboard opened on a long-running worker starts from the end of its screen capture (it can
        // be large and is only context), but reads the structured logs whole: they say where things stand.
        startAt: source === 'screen' ? 'end' : 'start',
        onLines: (file, lines, info) => this.read(file, lines, source, format, info.mtimeMs),
        onReset: (file) => this.parsers.delete(file),
        onError: (error) => this.note(source, 'error', `log: ${error.message}`),
      }),
    );
  }

  /**
   * Lines are dated when they were written, not when muxctl read them: by their own time when they
   * carry one, else by the file's modification time. A dashboard opened on a log that ended an hour
   * ago must not call its worker active a moment ago.
   */
  private read(file: string, lines: string[], source: LogSource, format: LogFormat, mtimeMs: number): void {
    const at = Math.min(this.options.now(), mtimeMs);
    let parser = this.parsers.get(file);
    if (parser === undefined) {
      const detected = format === 'auto' ? detectFormat(lines.slice(0, 8), basename(file)) : format;
      if (typeof detected !== 'string') {
        this.parsers.set(file, 'refused');
        this.malformed += lines.length;
        this.note(source, 'error', `${basename(file)}: ${detected.malformed}`);
        this.options.onChange(this.name);
        return;
      }
      parser = createLogParser(detected);
      this.parsers.set(file, parser);
    }
    if (parser === 'refused') {
      this.malformed += lines.length;
      return;
    }
    this.linesBySource[source] += lines.length;
    this.linesRead += lines.length;
    // Folded once for the whole batch: a busy log brings hundreds of lines a read.
    const folded: Folded[] = [];
    for (const line of lines) {
      const parsed = parser.push(line);
      if ('malformed' in parsed) {
        this.malformed += 1;
        folded.push({ at });
        this.ring.push({ at, source, kind: 'malformed', level: 'warn', text: this.options.redact(`unreadable line (${parsed.malformed})`) });
        continue;
      }
      for (const event of parsed.events) this.fold(event, source, at, folded);
    }
    this.activity = foldEvents(this.activity, folded);
    this.options.onChange(this.name);
  }

  private fold(event: LogEvent, source: LogSource, readAt: number, folded: Folded[]): void {
    // A line's own time, unless it claims to come from after the file was written (a skewed clock).
    const at = event.time !== null ? Math.min(event.time, readAt) : readAt;
    const text = this.options.redact(event.text);
    const shown: DisplayEvent = { at, source, kind: event.kind, level: event.level, text };
    if (event.tool !== undefined) shown.tool = event.tool;
    this.ring.push(shown);
    // What the logs held before muxctl looked is dated by its own time (or the file's); a line appended
    // while muxctl watches was written now, whatever time it claims (a replayed or skewed log), so it
    // is the live process's: its turn counts in the current epoch.
    const when = this.live ? readAt : at;
    // Screen output is a sign of life only (see the header comment).
    if (source === 'screen') folded.push({ at: when });
    else folded.push({ at: when, event: text === event.text ? event : { ...event, text } });
  }

  private note(source: LogSource, level: DisplayEvent['level'], text: string): void {
    this.ring.push({ at: this.options.now(), source, kind: 'error', level, text: this.options.redact(text) });
  }
}
