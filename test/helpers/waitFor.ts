/**
 * Polls a probe until it returns something truthy, or fails after a deadline: the alternative to
 * sleep-and-hope in tests that wait on real processes.
 */
export interface WaitForOptions {
  /** @default 5000 */
  timeoutMs?: number;
  /** @default 25 */
  intervalMs?: number;
  /** What is awaited, for the timeout message ("pane w1 to die"). */
  what: string;
  /** More for the timeout message, read when it fails (the screen or the log as it is then). */
  detail?: () => string;
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 5_000, intervalMs = 25, what, detail }: WaitForOptions,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      last = value;
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      // A probe may throw while the thing is not ready yet; keep the error as the last seen value.
      last = error;
    }
    if (Date.now() >= deadline) {
      const more = detail ? `\n${detail()}` : '';
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${describe(last)}${more}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

function describe(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
