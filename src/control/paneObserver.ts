/**
 * Where the dashboard's once-a-second look at tmux goes: a persistent control-mode client when a
 * server runs (a round trip costs ~0.5 ms, no process spawned), else the spawning adapter, which
 * answers "no server" as no panes. A lost client (server killed, server restarted) is replaced at the
 * next look, at most every RECONNECT_MS, so a dead server costs little and a new one is found quickly.
 */
import { TmuxControlClient } from '../adapters/tmuxControl.js';
import type { PaneInfo, Tmux } from '../adapters/tmux.js';

export interface PaneSource {
  listPanes(): Promise<PaneInfo[]>;
  capturePanes(names: readonly string[], lines: number): Promise<Map<string, string[]>>;
}

const RECONNECT_MS = 2000;

export class ControlPaneObserver implements PaneSource {
  private client: TmuxControlClient | null = null;
  private lastAttempt = 0;
  private connecting: Promise<TmuxControlClient | null> | null = null;
  private closed = false;

  constructor(
    private readonly tmux: Tmux,
    private readonly now: () => number = Date.now,
  ) {}

  /** True while looks go over the control client (for the benchmark and tests). */
  get usingControlClient(): boolean {
    return this.client?.connected === true;
  }

  async listPanes(): Promise<PaneInfo[]> {
    const client = await this.ensure();
    if (client) {
      try {
        return await client.listPanes();
      } catch {
        this.drop(client);
      }
    }
    return this.tmux.listPanes();
  }

  async capturePanes(names: readonly string[], lines: number): Promise<Map<string, string[]>> {
    const client = await this.ensure();
    if (client) {
      try {
        return await client.capturePanes(names, lines);
      } catch {
        this.drop(client);
      }
    }
    return this.tmux.capturePanes(names, lines);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.connecting;
    const client = this.client;
    this.client = null;
    await client?.close();
  }

  /**
   * The client if it is connected. Connecting happens in the background: the look that starts it (the
   * dashboard's very first one, say) spawns tmux instead of waiting ~50 ms for the handshake.
   */
  private async ensure(): Promise<TmuxControlClient | null> {
    if (this.client?.connected) return this.client;
    if (this.connecting || this.closed || this.now() - this.lastAttempt < RECONNECT_MS) return null;
    this.lastAttempt = this.now();
    this.connecting = this.connect().finally(() => (this.connecting = null));
    return null;
  }

  private async connect(): Promise<TmuxControlClient | null> {
    const client = new TmuxControlClient(this.tmux.socket);
    try {
      if (!(await client.connect())) return null;
    } catch {
      await client.close().catch(() => {});
      return null;
    }
    if (this.closed) {
      await client.close();
      return null;
    }
    client.on('closed', () => this.drop(client));
    this.client = client;
    return client;
  }

  private drop(client: TmuxControlClient): void {
    if (this.client === client) this.client = null;
    void client.close().catch(() => {});
  }
}
