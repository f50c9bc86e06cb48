import { describe, expect, it } from 'vitest';
import { Ring } from '../../src/core/views/ring.js';

describe('Ring', () => {
  it('keeps items oldest first while below capacity', () => {
    const ring = new Ring<number>(3);
    expect(ring.toArray()).toEqual([]);
    expect(ring.last()).toBeUndefined();
    ring.push(1);
    ring.push(2);
    expect(ring.toArray()).toEqual([1, 2]);
    expect(ring.size).toBe(2);
    expect(ring.capacity).toBe(3);
    expect(ring.dropped).toBe(0);
    expect(ring.last()).toBe(2);
  });

  it('drops the oldest when full and counts what it dropped', () => {
    const ring = new Ring<string>(3);
    ring.pushAll(['a', 'b', 'c', 'd', 'e']);
    expect(ring.toArray()).toEqual(['c', 'd', 'e']);
    expect(ring.size).toBe(3);
    expect(ring.dropped).toBe(2);
    expect(ring.last()).toBe('e');
  });

  it('stays in order across many wraps', () => {
    const ring = new Ring<number>(7);
    for (let i = 0; i < 1_000; i++) ring.push(i);
    expect(ring.toArray()).toEqual([993, 994, 995, 996, 997, 998, 999]);
    expect(ring.dropped).toBe(993);
  });

  it('capacity 1 holds only the newest', () => {
    const ring = new Ring<number>(1);
    ring.pushAll([1, 2, 3]);
    expect(ring.toArray()).toEqual([3]);
    expect(ring.dropped).toBe(2);
  });

  it('returns a copy, not its storage', () => {
    const ring = new Ring<number>(2);
    ring.push(1);
    const copy = ring.toArray();
    copy.push(99);
    expect(ring.toArray()).toEqual([1]);
  });

  it('clear empties it and resets the dropped count', () => {
    const ring = new Ring<number>(2);
    ring.pushAll([1, 2, 3]);
    ring.clear();
    expect(ring.size).toBe(0);
    expect(ring.dropped).toBe(0);
    expect(ring.toArray()).toEqual([]);
    ring.pushAll([4, 5]);
    expect(ring.toArray()).toEqual([4, 5]);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses capacity %s with a clear message', (capacity) => {
    expect(() => new Ring(capacity)).toThrow(/whole-number capacity of at least 1/);
  });
});
