/**
 * How big and how long a benchmark run is. `full` is what `npm run bench` measures and
 * what bench/README.md quotes; `quick` runs every code path with small numbers, as a
 * smoke test in CI (its numbers mean nothing).
 */
export interface BenchProfile {
  readonly name: 'full' | 'quick';
  /** Leads in the generated data set. */
  readonly leads: number;
  /** Concurrency levels of the read and dispatch benchmarks. */
  readonly concurrencies: readonly number[];
  /** Seconds of load per read measurement (after a warm-up of `warmupSeconds`). */
  readonly readSeconds: number;
  /** Seconds of load per dispatch measurement. */
  readonly dispatchSeconds: number;
  readonly warmupSeconds: number;
  /** Concurrent subscriptions per stream measurement. */
  readonly subscriptions: readonly number[];
  /** Of those, subscriptions with no lead filter. */
  readonly unfilteredSubscriptions: number;
  /** Subscriptions multiplexed on one graphql-ws connection. */
  readonly subscriptionsPerConnection: number;
  /** Changes committed per second during a stream measurement. */
  readonly changeRates: readonly number[];
  /** Seconds of changes per stream measurement. */
  readonly streamSeconds: number;
  /** Changes in the log for the `after` replay measurement. */
  readonly replayChanges: number;
}

export const FULL: BenchProfile = {
  name: 'full',
  leads: 10_000,
  concurrencies: [1, 16, 64],
  readSeconds: 10,
  dispatchSeconds: 10,
  warmupSeconds: 3,
  subscriptions: [1_000, 5_000, 10_000, 20_000],
  unfilteredSubscriptions: 100,
  subscriptionsPerConnection: 10,
  changeRates: [100, 500],
  streamSeconds: 10,
  replayChanges: 100_000,
};

export const QUICK: BenchProfile = {
  name: 'quick',
  leads: 500,
  concurrencies: [1, 16],
  readSeconds: 1,
  dispatchSeconds: 1,
  warmupSeconds: 0.5,
  subscriptions: [200],
  unfilteredSubscriptions: 20,
  subscriptionsPerConnection: 10,
  changeRates: [50],
  streamSeconds: 2,
  replayChanges: 5_000,
};
