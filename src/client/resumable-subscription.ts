import { type Client, type FormattedExecutionResult } from 'graphql-ws/client';
import { describe, isAfter, isEventId, rootFieldId } from './event-id.js';
import { recoveryFor } from './recovery.js';
import { checkRequest, resumePayload } from './resume-payload.js';
import { ResumableSubscriptionError, toSubscriptionError } from './subscription-error.js';
import { type ResumableRequest, type ResumableSink, type ResumableSubscription } from './types.js';

/** graphql-ws's `retryWait`: resolves when retry number `retries` (from 0) may go ahead. */
export type RetryWait = (retries: number) => Promise<void>;

/**
 * Runs one resumable subscription on a graphql-ws client. Two layers bring it back:
 * graphql-ws itself reconnects and re-sends the operation (its payload carries the
 * cursor, see resume-payload.ts); when graphql-ws gives up on the operation, this
 * subscribes again where the gateway asks for it (see recovery.ts). Either way the
 * gateway is asked for what follows the last id delivered, and anything at or below it
 * that still arrives is dropped, so the sink sees each event once, in order.
 */
export function startResumableSubscription<TData>(
  client: Client,
  request: ResumableRequest<TData>,
  sink: ResumableSink<TData>,
  retryWait: RetryWait,
  onEnd: () => void,
): ResumableSubscription {
  let cursor = checkRequest(request);
  const idOf = request.idOf ?? rootFieldId;
  const payload = resumePayload(request, () => cursor);
  let closed = false;
  let duplicatesDropped = 0;
  /** Counts graphql-ws operations: a callback from one this has replaced is ignored. */
  let generation = 0;
  let release: (() => void) | undefined;
  let delayed: ReturnType<typeof setTimeout> | undefined;
  /** Whether the current operation delivered anything, and how many in a row did not. */
  let progressed = false;
  let barren = 0;

  const stop = () => {
    closed = true;
    clearTimeout(delayed);
    const releasing = release;
    release = undefined;
    releasing?.();
    onEnd();
  };
  const end = (error?: ResumableSubscriptionError) => {
    if (closed) return;
    stop();
    if (error === undefined) report(() => sink.complete?.());
    else report(() => sink.error(error));
  };

  const deliver = (result: FormattedExecutionResult<TData, unknown>) => {
    let id: string;
    try {
      if (result.data == null) throw new TypeError(`data: expected an event, but got ${describe(result.data)}`);
      id = idOf(result.data);
      if (!isEventId(id)) throw new TypeError(`idOf: expected a decimal event id, but got ${describe(id)}`);
    } catch (error) {
      // Without its id an event cannot be placed: delivering it would break "once, in
      // order" on the next resume, skipping it would lose it. So the stream stops, loudly.
      const reason = error instanceof Error ? error.message : String(error);
      return end(new ResumableSubscriptionError(`a result without an event id: ${reason}`, 'unreadable', {
        cause: error,
        ...(result.errors !== undefined && { errors: result.errors }),
      }));
    }
    if (!isAfter(id, cursor)) {
      duplicatesDropped++;
      return;
    }
    cursor = id;
    progressed = true;
    const data = result.data;
    report(() => sink.next({ id, data, ...(result.errors !== undefined && { errors: result.errors }) }));
  };

  const subscribe = () => {
    const mine = ++generation;
    const current = () => mine === generation && !closed;
    progressed = false;
    release = client.subscribe<TData>(payload, {
      next: (result) => {
        if (current()) deliver(result);
      },
      error: (error: unknown) => {
        if (!current()) return;
        release = undefined;
        resume(error);
      },
      complete: () => {
        if (!current()) return;
        release = undefined;
        end();
      },
    });
  };

  const resume = (error: unknown) => {
    const recovery = recoveryFor(error);
    if (recovery.action === 'fail') return end(toSubscriptionError(error));
    barren = progressed ? 0 : barren + 1;
    // The gateway's own delay first; at once after progress; otherwise the backoff, so a
    // gateway that keeps closing before anything is delivered is not hammered.
    if (recovery.delayMs !== undefined || barren === 0) {
      delayed = setTimeout(() => {
        if (!closed) subscribe();
      }, recovery.delayMs ?? 0);
      return;
    }
    retryWait(barren - 1).then(
      () => {
        if (!closed) subscribe();
      },
      (waitError: unknown) => end(toSubscriptionError(waitError)),
    );
  };

  subscribe();
  return {
    get lastId() {
      return cursor;
    },
    get duplicatesDropped() {
      return duplicatesDropped;
    },
    get closed() {
      return closed;
    },
    unsubscribe() {
      if (!closed) stop();
    },
  };
}

/**
 * Calls the consumer. graphql-ws calls sinks from its message handler, where an exception
 * would be taken for a bad server message and close the connection (4004) for every
 * operation on it; so a consumer's exception is rethrown on its own, where it surfaces as
 * any uncaught error does, and the stream goes on.
 */
function report(call: () => void): void {
  try {
    call();
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}
