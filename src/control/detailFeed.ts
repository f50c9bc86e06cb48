/**
 * The detail views of one worker: its log, fed as its lines arrive (at most once a frame or two,
 * however fast they come); or its screen, read a few times a second while the preview is open. The
 * diff view opens and closes here too, but diffFeed.ts feeds it.
 */
import type { DisplayEvent, LogMonitor } from './logMonitor.js';
import type { PaneSource } from './paneObserver.js';

export type DetailRequest = { worker: string; mode: 'log' | 'preview' | 'diff' };

/** How often an open preview re-reads the worker's screen: live to the eye, one tmux call each. */
const PREVIEW_MS = 250;

export interface DetailFeedDeps {
  logs: LogMonitor;
  panes: PaneSource;
  redact: (text: string) => string;
  /** How many screen lines the preview has room for now. */
  rows: () => number;
  /** New lines settle this long before they are shown: lines arriving together cost one render. */
  logSettleMs: number;
  /** The view opened (empty), or closed (null). */
  onOpen: (request: DetailRequest | null) => void;
  onLog: (worker: string, events: DisplayEvent[]) => void;
  onScreen: (worker: string, screen: string[]) => void;
}

export class DetailFeed {
  private open: DetailRequest | null = null;
  private timer: NodeJS.Timeout | undefined;
  private logTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: DetailFeedDeps) {}

  watch(request: DetailRequest | null): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.open = request;
    this.deps.onOpen(request);
    if (request === null) return;
    if (request.mode === 'log') this.feedLog(request.worker);
    else if (request.mode === 'preview') {
      void this.feedScreen(request.worker);
      this.timer = setInterval(() => void this.feedScreen(request.worker), PREVIEW_MS);
    }
  }

  /** New lines for `worker`: the open log view shows them within a frame or two. */
  logsChanged(worker: string): void {
    if (this.open?.worker !== worker || this.open.mode !== 'log' || this.logTimer !== undefined) return;
    this.logTimer = setTimeout(() => {
      this.logTimer = undefined;
      this.feedLog(worker);
    }, this.deps.logSettleMs);
  }

  close(): void {
    clearTimeout(this.logTimer);
    this.watch(null);
  }

  private feedLog(worker: string): void {
    if (this.open?.worker === worker && this.open.mode === 'log') this.deps.onLog(worker, this.deps.logs.state(worker).recent);
  }

  private async feedScreen(worker: string): Promise<void> {
    const rows = Math.max(10, this.deps.rows());
    const captured = await this.deps.panes.capturePanes([worker], rows).catch(() => new Map<string, string[]>());
    const screen = (captured.get(worker) ?? ['(no tmux session)']).map(this.deps.redact);
    if (this.open?.worker === worker && this.open.mode === 'preview') this.deps.onScreen(worker, screen);
  }
}
