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
  // The last id passed on, in canonical decimal (`after` may have leading zeros).
  let last = after === undefined ? undefined : BigInt(after).toString();
  let live: SubscriberQueue<StatusChangeEntity> | undefined;
  /** Set once the replay is over and the live queue is read directly. */
  let joined: SubscriberQueue<StatusChangeEntity> | undefined;
  let ended = false;

  const replay = async function* (): AsyncGenerator<StatusChangeEntity> {
    for (;;) {
      const rows = await store.after(
        filter.tenantId,
        {
          afterId: String(last),
          kind: filter.kind,
          ...(filter.leadId !== undefined && { leadId: filter.leadId }),
          ...(filter.providers !== undefined && { providers: filter.providers }),
        },
        REPLAY_BATCH,
      );
      for (const row of rows) {
        last = row.id;
        yield row;
      }
      if (rows.length < REPLAY_BATCH) return;
    }
  };

  // The replay and the join; once they are done, `joined` is set and the generator ends.
  const replayThenJoin = (async function* (): AsyncGenerator<StatusChangeEntity> {
    if (last !== undefined) yield* replay();
    const queue = await hub.subscribe(filter, onOverflow);
    live = queue;
    let done = false;
    try {
      if (ended) return;
      if (last !== undefined) yield* replay();
      done = true;
    } finally {
      if (done) joined = queue;
      else await queue.return();
    }
  })();

  // Live changes come straight from the queue, not through an async generator: each change
  // of each subscriber would otherwise cost the generator's own promises and turns.
  const nextLive = (queue: SubscriberQueue<StatusChangeEntity>): Promise<IteratorResult<StatusChangeEntity>> =>
    queue.next().then((item) => {
      if (item.done === true) return item;
      // Already replayed: skip it.
      if (last !== undefined && !isAfter(item.value.id, last)) return nextLive(queue);
      last = item.value.id;
      return item;
    });

  // An async generator waiting inside `for await` only queues a `return()`: it would stay
  // subscribed until its next change. Ending the live queue first releases that wait.
  return {
    next: () =>
      joined !== undefined
        ? nextLive(joined)
        : replayThenJoin.next().then((item) => (item.done === true && joined !== undefined ? nextLive(joined) : item)),
    async return(value?: unknown) {
      ended = true;
      await live?.return();
      return replayThenJoin.return(value);
    },
    async throw(error?: unknown) {
      ended = true;
      await live?.return();
      return replayThenJoin.throw(error);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/** Whether status-change id `id` comes after `last` (both canonical decimals: no BigInt per change). */
function isAfter(id: string, last: string): boolean {
  return id.length !== last.length ? id.length > last.length : id > last;
}
