import {
  type ResumableClient,
  type ResumableEvent,
  type ResumableRequest,
  type ResumableSubscription,
  type ResumableSubscriptionError,
} from 'leadgraph/client';
import { Waiters } from './waiters.js';

/** A resumable subscription whose deliveries a test can wait on. */
export interface Collector<TData> {
  readonly subscription: ResumableSubscription;
  /** Every event delivered, in delivery order. */
  readonly events: ResumableEvent<TData>[];
  /** Their ids. */
  ids(): string[];
  /** The error the subscription ended with, if it did. */
  readonly error: ResumableSubscriptionError | undefined;
  /** Resolves with the error the subscription ends with (never resolves while it runs). */
  readonly failed: Promise<ResumableSubscriptionError>;
  untilId(id: string): Promise<void>;
  untilCount(count: number): Promise<void>;
}

/** Subscribes through `client` and records what the sink receives. */
export function collect<TData>(client: ResumableClient, request: ResumableRequest<TData>): Collector<TData> {
  const events: ResumableEvent<TData>[] = [];
  const waiters = new Waiters();
  let error: ResumableSubscriptionError | undefined;
  let settleFailed: (error: ResumableSubscriptionError) => void = () => undefined;
  const failed = new Promise<ResumableSubscriptionError>((resolve) => (settleFailed = resolve));
  const subscription = client.subscribe(request, {
    next: (event) => {
      events.push(event);
      waiters.check();
    },
    error: (e) => {
      error = e;
      settleFailed(e);
      waiters.fail(`the subscription failed (${e.message}) after ${events.length} events`);
    },
    complete: () => waiters.fail(`the subscription completed after ${events.length} events`),
  });
  return {
    subscription,
    events,
    ids: () => events.map((event) => event.id),
    get error() {
      return error;
    },
    failed,
    untilId: (id) => waiters.until(() => events.some((event) => event.id === id), `event ${id}`),
    untilCount: (count) => waiters.until(() => events.length >= count, `${count} events`),
  };
}
