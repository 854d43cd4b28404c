/**
 * One provider vocabulary, stated once as data: a table from the gateway's values (an
 * enum of the contract) to the provider's spellings, typed `satisfies Record<Enum, …>`
 * where it is written so the compiler proves it exhaustive (as `domain/stage-table.ts`
 * does). Both directions and the list of the provider's values come from it.
 */
export interface WireVocabulary<Ours extends string, Wire extends string> {
  /** The table as written. */
  readonly table: Readonly<Record<Ours, Wire>>;
  /** The provider's values, in the table's order (what a sandbox accepts, what the docs list). */
  readonly wireValues: readonly Wire[];
  toWire(value: Ours): Wire;
  /** The gateway's value for a provider's spelling; undefined for a spelling the table does not have (never a silent default). */
  fromWire(value: string): Ours | undefined;
}

/** The {@link WireVocabulary} of `table`; throws when two values share a spelling (the inverse would be ambiguous). */
export function wireVocabulary<Ours extends string, Wire extends string>(table: Readonly<Record<Ours, Wire>>): WireVocabulary<Ours, Wire> {
  const inverse = new Map<string, Ours>();
  for (const [ours, wire] of Object.entries(table) as Array<[Ours, Wire]>) {
    const taken = inverse.get(wire);
    if (taken !== undefined) throw new Error(`"${wire}" spells both ${taken} and ${ours}`);
    inverse.set(wire, ours);
  }
  return {
    table,
    wireValues: [...inverse.keys()] as Wire[],
    toWire: (value) => table[value],
    fromWire: (value) => inverse.get(value),
  };
}
