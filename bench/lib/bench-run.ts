import { type BenchDatabase, type BenchServer } from './bench-database.js';
import { type DataSet } from './data-generator.js';
import { type BenchProfile } from './profile.js';
import { type BenchSandboxes } from './sandboxes.js';

/**
 * Everything a benchmark is given: one fresh database holding the generated data set,
 * the sandboxes process holding the same records, and an admin key. Each benchmark
 * starts (and stops) the servers it measures itself.
 */
export interface BenchRun {
  readonly profile: BenchProfile;
  readonly server: BenchServer;
  readonly database: BenchDatabase;
  readonly data: DataSet;
  readonly sandboxes: BenchSandboxes;
  /** Admin key of the default tenant (the tenant that owns the data set). */
  readonly adminKey: string;
}

/** A benchmark: measures, prints its tables, writes its JSON, returns where it stands against its targets. */
export type Benchmark = (run: BenchRun) => Promise<readonly TargetCheck[]>;

/**
 * One target and where this run stands. A missed `performance` target is reported (and
 * explained in bench/README.md); a failed `correctness` check (wrong answers, lost
 * events) makes the run fail, in the quick profile too: numbers of a server that
 * answers wrongly mean nothing.
 */
export interface TargetCheck {
  readonly kind: 'performance' | 'correctness';
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}
