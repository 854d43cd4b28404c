/** Ends an exhaustive `switch`: the compiler proves `value` is `never`, and a value that slipped past the types still fails loudly. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`Unexpected ${what}: ${JSON.stringify(value)}`);
}
