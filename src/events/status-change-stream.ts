import { type StatusChangeEntity } from '../db/entities/index.js';
import { type StatusChangeStore } from './status-change-store.js';
import { type ChangeFilter, type StatusChangeHub } from './change-hub.js';
import { type SubscriberQueue } from './subscriber-queue.js';

const REPLAY_BATCH = 500;

/**
 * A subscriber's stream: with `after`, every matching change after that id from the
 * log, then live ones; without, live ones only.
 *
 * The seam: the replay reads until it has caught up, then the live feed is joined,
 * then one more read covers what committed in between. Live changes already replayed
 * are skipped by id. Ids of one tenant become visible in increasing order (see
 * `status-change-log.ts`), so nothing falls between the replay and the live feed,
 * and nothing comes twice. Joining live only after catching up keeps a long replay
 * from filling the live buffer.
 */
export function statusChangeStream(
  hub: StatusChangeHub,
  store: StatusChangeStore,
  filter: ChangeFilter,
  after: string | undefined,
  onOverflow: () => void,
): AsyncIterableIterator<StatusChangeEntity> {
  return new StatusChangeStream(hub, store, filter, after === undefined ? undefined : BigInt(after).toString(), onOverflow);
}

/**
 * The stream {@link statusChangeStream} makes. A class, not closures: an idle
 * subscription holds its stream as long as it lives, and methods are shared by all of
 * them instead of being a handful of closures (and a finished generator) per subscription.
 */
class StatusChangeStream implements AsyncIterableIterator<StatusChangeEntity> {
  private live: SubscriberQueue<StatusChangeEntity> | undefined;
  /** Set once the replay is over and the live queue is read directly. */
  private joined: SubscriberQueue<StatusChangeEntity> | undefined;
  private ended = false;
  /** The replay and the join; let go of once they are done (`joined` is set). */
  private joining: AsyncGenerator<StatusChangeEntity> | undefined;
  /** Whether the stream began with a replay (`after`), whose changes the live queue may hold again. */
  private readonly replays: boolean;

  constructor(
    private readonly hub: StatusChangeHub,
    private readonly store: StatusChangeStore,
    private readonly filter: ChangeFilter,
    /** The last id passed on, in canonical decimal (`after` may have leading zeros). */
    private last: string | undefined,
    private readonly onOverflow: () => void,
  ) {
    this.replays = last !== undefined;
    this.joining = this.replayThenJoin();
  }

  next(): Promise<IteratorResult<StatusChangeEntity>> {
    if (this.joined !== undefined) return this.nextLive(this.joined);
    const joining = this.joining!;
    return joining.next().then((item) => {
      if (item.done !== true || this.joined === undefined) return item;
      this.joining = undefined;
      return this.nextLive(this.joined);
    });
  }

  // An async generator waiting inside `for await` only queues a `return()`: it would stay
  // subscribed until its next change. Ending the live queue first releases that wait.
  async return(value?: unknown): Promise<IteratorResult<StatusChangeEntity>> {
    this.ended = true;
    await this.live?.return();
    return this.joining?.return(value) ?? { value: value as undefined, done: true };
  }

  async throw(error?: unknown): Promise<IteratorResult<StatusChangeEntity>> {
    this.ended = true;
    await this.live?.return();
    if (this.joining === undefined) throw error;
    return this.joining.throw(error);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<StatusChangeEntity> {
    return this;
  }

  // Live changes come straight from the queue, not through an async generator: each change
  // of each subscriber would otherwise cost the generator's own promises and turns.
  private nextLive(queue: SubscriberQueue<StatusChangeEntity>): Promise<IteratorResult<StatusChangeEntity>> {
    // Without a replay nothing was passed on before the queue's first change, and the hub
    // hands a queue its tenant's changes in increasing id order: there is nothing to skip,
    // so an idle subscriber waits on the queue's own promise, not on a second one after it.
    if (!this.replays) return queue.next();
    return queue.next().then((item) => {
      if (item.done === true) return item;
      // Already replayed: skip it.
      if (this.last !== undefined && !isAfter(item.value.id, this.last)) return this.nextLive(queue);
      this.last = item.value.id;
      return item;
    });
  }

  private async *replayThenJoin(): AsyncGenerator<StatusChangeEntity> {
    if (this.last !== undefined) yield* this.replay();
    const queue = await this.hub.subscribe(this.filter, this.onOverflow);
    this.live = queue;
    let done = false;
    try {
      if (this.ended) return;
      if (this.last !== undefined) yield* this.replay();
      done = true;
    } finally {
      if (done) this.joined = queue;
      else await queue.return();
    }
  }

  private async *replay(): AsyncGenerator<StatusChangeEntity> {
    const { tenantId, kind, leadId, providers } = this.filter;
    for (;;) {
      const rows = await this.store.after(
        tenantId,
        {
          afterId: String(this.last),
          kind,
          ...(leadId !== undefined && { leadId }),
          ...(providers !== undefined && { providers }),
        },
        REPLAY_BATCH,
      );
      for (const row of rows) {
        this.last = row.id;
        yield row;
      }
      if (rows.length < REPLAY_BATCH) return;
    }
  }
}

/** Whether status-change id `id` comes after `last` (both canonical decimals: no BigInt per change). */
function isAfter(id: string, last: string): boolean {
  return id.length !== last.length ? id.length > last.length : id > last;
}
