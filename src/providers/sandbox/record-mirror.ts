import { type ApplicationRecord, type VerificationRecord } from '../../domain/records.js';

/**
 * The records the gateway holds that a sandbox may need to hold too, by kind: the demo
 * data set and the records stored before a restart are put into the built-in sandboxes
 * as these, and each provider takes the kinds it holds.
 */
export interface MirroredRecords {
  /** A lead, with the upstream ids the gateway keeps on it. */
  readonly lead: { readonly id: string; readonly techeaLeadId: string | null; readonly decisionCloudCustomerId: string | null };
  readonly application: ApplicationRecord;
  readonly verification: VerificationRecord;
  /** The customer a stored loan is filed under. */
  readonly loanCustomer: string;
}

/** How one sandbox takes the records it holds (a kind it does not hold: no member). */
export type RecordMirror = { readonly [K in keyof MirroredRecords]?: (record: MirroredRecords[K]) => void };

/** Every sandbox's mirror at once: what the demo data set and the start-up sync call. */
export interface SandboxMirror {
  /** Whether any provider is a built-in sandbox (nothing to mirror otherwise). */
  readonly any: boolean;
  mirror<K extends keyof MirroredRecords>(kind: K, record: MirroredRecords[K]): void;
}

/** One {@link SandboxMirror} over the mirrors of the sandboxes that run. */
export function combineMirrors(mirrors: readonly RecordMirror[]): SandboxMirror {
  return {
    any: mirrors.length > 0,
    mirror: (kind, record) => {
      for (const mirror of mirrors) mirror[kind]?.(record);
    },
  };
}
