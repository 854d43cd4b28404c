import { ConfigError, type Env } from '../../config-env.js';
import { DEFAULT_PROVIDERS } from '../default-providers.js';
import { type AnyProviderDescriptor } from '../descriptor.js';

/**
 * The records the built-in sandboxes hold before anyone calls them, besides what the
 * demo data set mirrors into them: the provider-side records that exist before the
 * gateway hears of them (the bank's onboarding made the application, Tecalis's widget
 * the process, a publisher the TECHEA lead), for trying first contact by hand. By each
 * provider's `sandbox.records.key`, e.g. `techeaLeadIds`.
 */
export type SandboxRecords = Readonly<Record<string, readonly string[]>>;

/** The providers' well-known ids, the same on every start, so the README can show them. */
export function sampleSandboxRecords(providers: readonly AnyProviderDescriptor[]): SandboxRecords {
  return Object.fromEntries(providers.map(({ sandbox: { records } }) => [records.key, records.samples]));
}

/** The default providers' samples. */
export const SAMPLE_SANDBOX_RECORDS: SandboxRecords = sampleSandboxRecords(DEFAULT_PROVIDERS);

/**
 * The built-in sandboxes' records: each provider's `SANDBOX_*` variable, a
 * comma-separated list of ids (empty: none), replaces its sample records. Read by the
 * configuration, and by `leadgraph sandbox`, which needs no other.
 */
export function loadSandboxRecords(env: Env, providers: readonly AnyProviderDescriptor[]): SandboxRecords {
  const records: Record<string, readonly string[]> = { ...sampleSandboxRecords(providers) };
  for (const { variable, key, expected, pattern, lowerCase } of providers.map((p) => p.sandbox.records)) {
    const value = env[variable];
    if (value === undefined) continue;
    const ids = value.split(',').map((id) => id.trim()).filter((id) => id !== '');
    const bad = ids.find((id) => !pattern.test(id));
    if (bad !== undefined) throw new ConfigError(variable, `a comma-separated list of ${expected}`, JSON.stringify(bad));
    records[key] = lowerCase ? ids.map((id) => id.toLowerCase()) : ids;
  }
  return records;
}

/** One line per provider, for the start-up log and `leadgraph sandbox`. */
export function describeSandboxRecords(records: SandboxRecords, providers: readonly AnyProviderDescriptor[]): string[] {
  return providers.map(({ sandbox: { records: spec } }) => `${spec.label}: ${records[spec.key]?.join(', ') || '(none)'}`);
}
