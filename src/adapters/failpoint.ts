/**
 * Named points where a test can have muxctl killed as `kill -9` would, at an exact moment: in the middle
 * of a delivery, a restart or a landing. `MUXCTL_FAILPOINT=<name>` arms one; the process sends itself
 * SIGKILL when it gets there, so nothing after it runs — no finally, no exit handler, no flush. What is
 * left on disk is what a crash leaves, and the tests check that reopening muxctl makes every task true.
 * Unarmed (always, outside those tests) a failpoint is one string comparison.
 */
export type FailpointName = 'deliver:pasting' | 'deliver:pasted' | 'restart:respawned' | 'land:base-moved';

const armed = process.env['MUXCTL_FAILPOINT'];

export function failpoint(name: FailpointName): void {
  if (armed === name) process.kill(process.pid, 'SIGKILL');
}
