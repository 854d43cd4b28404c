/** A statement's parameters, numbered as they are added: `add` answers the placeholder (`$n`). */
export class StatementParameters {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }

  /** The number the next parameter gets (for a part of the statement that numbers its own). */
  get next(): number {
    return this.values.length + 1;
  }

  /** Adds a part's own parameters, numbered from {@link next} when it was built. */
  addAll(values: readonly unknown[]): void {
    this.values.push(...values);
  }
}
