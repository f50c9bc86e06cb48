/**
 * One landing at a time from this process (another process's is refused by the lock in the database),
 * and `land.auto`'s throttle: a landing is tried again only when the done tasks changed since the last
 * try, or after a while. A landing the base refused (local changes in the main checkout) must not
 * merge and check once a second.
 */
import type { TaskStore } from '../adapters/taskStore.js';
import type { Actor } from '../core/rules/tasks.js';
import type { Lander } from './lander.js';
import { describeLanding } from './landResults.js';

/** land.auto tries a landing that changed nothing again after this long (the base may be free by then). */
export const AUTO_LAND_RETRY_MS = 5 * 60_000;

export interface LandingsDeps {
  lander: Lander;
  store: TaskStore;
  now: () => number;
  /** After every landing, whatever it did: the board is read again. */
  afterLanding: () => void;
}

export class Landings {
  private landing: Promise<string> | null = null;
  /** The done tasks as the last landing saw them when it started. */
  private doneAtLastTry = '';
  private lastTryAt = 0;

  constructor(private readonly deps: LandingsDeps) {}

  /** Lands every done task now (or joins the landing under way); says what happened. */
  land(actor: Actor): Promise<string> {
    if (this.landing !== null) return this.landing;
    // The done tasks as this landing sees them at its start: one that finishes meanwhile is news for the
    // next try, while a refusal the lander records changes nothing here and is not tried again at once.
    const seen = this.doneKey();
    this.landing = this.deps.lander
      .land(undefined, actor)
      .then(describeLanding)
      .finally(() => {
        this.landing = null;
        this.doneAtLastTry = seen;
        this.lastTryAt = this.deps.now();
        this.deps.afterLanding();
      });
    return this.landing;
  }

  /** For land.auto: a landing in the background, unless one runs or nothing changed since the last. */
  landIfDue(actor: Actor): Promise<string> | null {
    if (this.landing !== null) return null;
    if (this.doneKey() === this.doneAtLastTry && this.deps.now() - this.lastTryAt < AUTO_LAND_RETRY_MS) return null;
    return this.land(actor);
  }

  private doneKey(): string {
    return JSON.stringify(this.deps.store.list({ states: ['done'] }).map((task) => [task.id, task.updatedAt]));
  }
}
