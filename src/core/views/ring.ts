/**
 * A fixed-capacity buffer that keeps the newest items: one per worker holds its recent log events, so
 * memory stays bounded however long a worker runs. Pushing is O(1) and never allocates once full.
 */
export class Ring<T> {
  private readonly slots: (T | undefined)[];
  /** Index of the oldest item. */
  private head = 0;
  private count = 0;
  private droppedCount = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`A ring buffer needs a whole-number capacity of at least 1, not ${capacity}.`);
    }
    this.slots = new Array<T | undefined>(capacity);
  }

  /** How many items it holds now (≤ capacity). */
  get size(): number {
    return this.count;
  }

  /** How many items were pushed out to make room, since creation or the last `clear()`. */
  get dropped(): number {
    return this.droppedCount;
  }

  /** Adds an item as the newest; when full, the oldest is dropped. */
  push(item: T): void {
    if (this.count < this.capacity) {
      this.slots[(this.head + this.count) % this.capacity] = item;
      this.count++;
      return;
    }
    this.slots[this.head] = item;
    this.head = (this.head + 1) % this.capacity;
    this.droppedCount++;
  }

  /** Adds items in order (the last one ends up newest). */
  pushAll(items: Iterable<T>): void {
    for (const item of items) this.push(item);
  }

  /** The newest item, if any. */
  last(): T | undefined {
    return this.count === 0 ? undefined : this.slots[(this.head + this.count - 1) % this.capacity];
  }

  /** A copy of the items, oldest first. */
  toArray(): T[] {
    const out = new Array<T>(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.slots[(this.head + i) % this.capacity] as T;
    return out;
  }

  /** Empties it (and forgets the dropped count), releasing the items for garbage collection. */
  clear(): void {
    this.slots.fill(undefined);
    this.head = 0;
    this.count = 0;
    this.droppedCount = 0;
  }
}
