// Who a message goes to, when it can be typed in, and what a worker may send (core/rules/messages.ts).
import { describe, expect, it } from 'vitest';
import { atPrompt, MESSAGES_PER_MINUTE, messageExcerpt, notAtPromptReason, recipients, sendRefusal } from '../../src/core/rules/messages.js';

const workers = [
  { name: 'author', lane: 'app' },
  { name: 'reviewer', lane: 'app' },
  { name: 'ops', lane: 'infra' },
];
const person = { kind: 'person' as const, name: 'ana' };
const reviewer = { kind: 'worker' as const, name: 'reviewer' };

describe('recipients', () => {
  it('a worker, a lane, or all; a worker never reaches itself', () => {
    expect(recipients({ kind: 'worker', name: 'author' }, workers, reviewer)).toEqual({ ok: true, names: ['author'] });
    expect(recipients({ kind: 'worker', name: 'reviewer' }, workers, reviewer)).toEqual({ ok: false, reason: 'reviewer cannot send a message to itself' });
    expect(recipients({ kind: 'lane', lane: 'app' }, workers, reviewer)).toEqual({ ok: true, names: ['author'] });
    expect(recipients({ kind: 'lane', lane: 'app' }, workers, person)).toEqual({ ok: true, names: ['author', 'reviewer'] });
    expect(recipients({ kind: 'all' }, workers, reviewer)).toEqual({ ok: true, names: ['author', 'ops'] });
    expect(recipients({ kind: 'worker', name: 'nobody' }, workers, person)).toEqual({ ok: false, reason: 'no worker named nobody' });
    expect(recipients({ kind: 'lane', lane: 'docs' }, workers, person)).toEqual({ ok: false, reason: 'no worker in lane docs' });
  });
});

describe('the rate a worker may send at', () => {
  it(`a worker is refused past ${MESSAGES_PER_MINUTE} a minute; the person never`, () => {
    expect(sendRefusal(reviewer, MESSAGES_PER_MINUTE - 1)).toBeNull();
    expect(sendRefusal(reviewer, MESSAGES_PER_MINUTE)).toMatch(/^reviewer sent 6 messages in the last minute \(at most 6\)/);
    expect(sendRefusal(person, 100)).toBeNull();
  });
});

describe('at its prompt', () => {
  it.each([
    [{ state: 'idle', screenQuietMs: 0, turnOpen: false }, true],
    [{ state: 'running', screenQuietMs: 3_000, turnOpen: false }, true],
    [{ state: 'working', screenQuietMs: 5_000, turnOpen: false }, true],
    [{ state: 'working', screenQuietMs: 5_000, turnOpen: true }, false],
    [{ state: 'running', screenQuietMs: 1_000, turnOpen: false }, false],
    [{ state: 'waiting', screenQuietMs: 60_000, turnOpen: false }, false],
    [{ state: 'limited', screenQuietMs: 60_000, turnOpen: false }, false],
    [{ state: 'stuck', screenQuietMs: 60_000, turnOpen: true }, false],
    [{ state: 'crashed', screenQuietMs: 60_000, turnOpen: false }, false],
  ] as const)('%o → %s', (facts, expected) => {
    expect(atPrompt(facts)).toBe(expected);
  });

  it('says why not, in words', () => {
    expect(notAtPromptReason('w1', { state: 'working', screenQuietMs: 9_000, turnOpen: true })).toBe('w1 is working on a turn');
    expect(notAtPromptReason('w1', { state: 'running', screenQuietMs: 100, turnOpen: false })).toBe("w1's screen is still changing");
    expect(notAtPromptReason('w1', { state: 'waiting', screenQuietMs: 100, turnOpen: false })).toBe('w1 is waiting, not at its prompt');
  });

  it('shows the first line of a long message, cut', () => {
    expect(messageExcerpt('fix it\nthen push')).toBe('fix it…');
    expect(messageExcerpt('x'.repeat(100), 10)).toBe(`${'x'.repeat(10)}…`);
  });
});
