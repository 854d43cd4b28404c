import { type StatusChangeEntity } from '../db/entities/index.js';
import { type StatusChangeStore } from '../services/status-change-store.js';
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
  let last = after === undefined ? undefined : BigInt(after);
  let live: SubscriberQueue<StatusChangeEntity> | undefined;
  let ended = false;

  const replay = async function* (): AsyncGenerator<StatusChangeEntity> {
    for (;;) {
      const rows = await store.after(
        filter.tenantId,
        {
          afterId: String(last),
          ...(filter.leadId !== undefined && { leadId: filter.leadId }),
          ...(filter.providers !== undefined && { providers: filter.providers }),
        },
        REPLAY_BATCH,
      );
      for (const row of rows) {
        last = BigInt(row.id);
        yield row;
      }
      if (rows.length < REPLAY_BATCH) return;
    }
  };

  const stream = (async function* (): AsyncGenerator<StatusChangeEntity> {
    if (last !== undefined) yield* replay();
    live = await hub.subscribe(filter, onOverflow);
    try {
      if (ended) return;
      if (last !== undefined) yield* replay();
      for await (const change of live) {
        const id = BigInt(change.id);
        if (last !== undefined && id <= last) continue;
        last = id;
        yield change;
      }
    } finally {
      await live.return();
    }
  })();

  // An async generator waiting inside `for await` only queues a `return()`: it would stay
  // subscribed until its next change. Ending the live queue first releases that wait.
  return {
    next: () => stream.next(),
    async return(value?: unknown) {
      ended = true;
      await live?.return();
      return stream.return(value);
    },
    throw: (error?: unknown) => stream.throw(error),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
