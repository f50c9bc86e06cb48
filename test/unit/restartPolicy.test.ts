import { describe, expect, it } from 'vitest';
import { backoff, decidePolicyRestart, decideRestart, MAX_BACKOFF_MS, type PolicyFacts } from '../../src/core/rules/guards.js';

const MIN = 60_000;
const NOW = 1_000_000_000;

function facts(over: Partial<PolicyFacts>): PolicyFacts {
  return {
    policy: 'on-failure',
    desired: 'running',
    state: 'crashed',
    since: NOW - 5_000,
    evidence: 'exit 3',
    attempts: 0,
    maxAttempts: 3,
    backoffBaseMs: 5_000,
    now: NOW,
    ...over,
  };
}

describe('the restart policy, decided in the core', () => {
  const cases: Array<{ name: string; facts: Partial<PolicyFacts>; action: string; delayMs?: number }> = [
    { name: 'a crash past its first backoff restarts', facts: {}, action: 'restart', delayMs: 5_000 },
    { name: 'a crash inside its backoff waits out the rest', facts: { since: NOW - 2_000 }, action: 'wait', delayMs: 3_000 },
    { name: 'the backoff doubles per attempt', facts: { attempts: 2, since: NOW - 15_000, maxAttempts: 5 }, action: 'wait', delayMs: 5_000 },
    { name: 'a spent budget restarts nothing', facts: { attempts: 3 }, action: 'none' },
    { name: 'a worker the person stopped is left alone', facts: { desired: 'stopped' }, action: 'none' },
    { name: 'never started: no record, nothing to restart', facts: { desired: null }, action: 'none' },
    { name: 'on-failure leaves a clean exit alone', facts: { state: 'exited' }, action: 'none' },
    { name: 'always restarts a clean exit too', facts: { policy: 'always', state: 'exited' }, action: 'restart', delayMs: 5_000 },
    { name: 'never never restarts', facts: { policy: 'never' }, action: 'none' },
    { name: 'a live worker is not restarted', facts: { state: 'working' }, action: 'none' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const decision = decidePolicyRestart(facts(c.facts));
      expect(decision.action).toBe(c.action);
      if (c.delayMs !== undefined && decision.action !== 'none') expect(decision.delayMs).toBe(c.delayMs);
    });
  }

  it('caps the wait at 10 minutes however long the loop: attempt 6 of a 60 s base waits 10 min, not 32', () => {
    const long = facts({ attempts: 5, maxAttempts: 10, backoffBaseMs: MIN });
    expect(backoff(5, MIN)).toBe(MAX_BACKOFF_MS);
    expect(decidePolicyRestart({ ...long, since: NOW - 11 * MIN })).toMatchObject({ action: 'restart', delayMs: 10 * MIN });
    expect(decidePolicyRestart({ ...long, since: NOW - 9 * MIN })).toMatchObject({ action: 'wait', delayMs: MIN });
  });

  it('names the attempt and the evidence in the reason that is recorded', () => {
    expect(decidePolicyRestart(facts({ attempts: 1, since: NOW - 60_000 })).reason).toBe('restart policy on-failure: exit 3 (attempt 2/3)');
  });

  it('reports the same wait as the restart guard, so the dialog and the policy agree', () => {
    const guard = decideRestart({
      worker: 'w1', taskState: 'running', dirtyFiles: [], commitsAhead: 1, landed: false, attempts: 7, maxAttempts: 10,
      lastCheckpoint: null, automatic: true, backoffBaseMs: MIN, destructive: false, confirmation: null,
    });
    const policy = decidePolicyRestart(facts({ attempts: 7, maxAttempts: 10, backoffBaseMs: MIN, since: 0 }));
    expect(policy.action).toBe('restart');
    expect(guard.delayMs).toBe(policy.action === 'none' ? -1 : policy.delayMs);
  });
});
