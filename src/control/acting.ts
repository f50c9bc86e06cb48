/**
 * The workers this process is acting on now (a restart, a reassign, a hand-out). The dispatcher leaves
 * them alone meanwhile: a lease must not expire into a worktree that a restart is resetting.
 */
export class Acting {
  private readonly workers = new Map<string, number>();

  busy(worker: string): boolean {
    return (this.workers.get(worker) ?? 0) > 0;
  }

  async on<T>(workers: readonly string[], work: () => Promise<T>): Promise<T> {
    for (const worker of workers) this.workers.set(worker, (this.workers.get(worker) ?? 0) + 1);
    try {
      return await work();
    } finally {
      for (const worker of workers) {
        const left = (this.workers.get(worker) ?? 1) - 1;
        if (left > 0) this.workers.set(worker, left);
        else this.workers.delete(worker);
      }
    }
  }
}
