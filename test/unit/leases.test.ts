import { describe, expect, it } from 'vitest';
import { leaseRunOut, shouldRenew } from '../../src/core/rules/leases.js';

const lease = { holder: 'gpu-1', expiresAt: 10_000 };

describe('leaseRunOut', () => {
  it('runs out at its expiry for a holder that can be seen, whatever it does', () => {
    expect(leaseRunOut(lease, 9_999, 'idle')).toBe(false);
    expect(leaseRunOut(lease, 10_000, 'idle')).toBe(true);
    expect(leaseRunOut(lease, 20_000, 'missing')).toBe(true);
    expect(leaseRunOut(lease, 20_000, null)).toBe(true);
  });

  it('never runs out while its holder is on a host that cannot be reached', () => {
    expect(leaseRunOut(lease, 1_000_000, 'unreachable')).toBe(false);
  });

  it('is renewed after the host answers again by a log line written during the outage', () => {
    // The lease ran out at 10 s during the outage; the line from 9.5 s, read on return, renews it.
    expect(shouldRenew({ lease, leaseMs: 4_000, now: 12_000, state: 'idle', upSince: 1_000, lastActiveAt: 9_500, hasTask: true })).toBe(true);
    expect(shouldRenew({ lease, leaseMs: 4_000, now: 12_000, state: 'idle', upSince: 1_000, lastActiveAt: 5_000, hasTask: true })).toBe(false);
  });
});
