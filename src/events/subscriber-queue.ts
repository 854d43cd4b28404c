/**
 * A bounded queue between the hub (which pushes as changes commit) and one
 * subscriber (which pulls as fast as its socket drains). A subscriber more than
 * `capacity` behind is not buffered without end: the queue overflows, and the
 * subscriber is told so it can close and resume later with `after`.
 */
export class SubscriberQueue<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private waiting: ((result: IteratorResult<T>) => void) | undefined;
  private done = false;
  /** Set when the subscriber fell more than `capacity` behind. */
  overflowed = false;

  constructor(
    private readonly capacity: number,
    private readonly onOverflow: () => void,
    private readonly onEnd: () => void,
  ) {}

  push(item: T): void {
    if (this.done) return;
    if (this.waiting !== undefined) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve({ value: item, done: false });
      return;
    }
    if (this.items.length >= this.capacity) {
      this.overflowed = true;
      this.onOverflow();
      void this.return();
      return;
    }
    this.items.push(item);
  }

  next(): Promise<IteratorResult<T>> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve({ value: item, done: false });
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  return(): Promise<IteratorResult<T>> {
    if (!this.done) {
      this.done = true;
      this.items.length = 0;
      this.waiting?.({ value: undefined, done: true });
      this.waiting = undefined;
      this.onEnd();
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}
