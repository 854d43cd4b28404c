/**
 * JSON helpers every provider's client and sandbox share (and the outbox's request
 * hash): one statement of each.
 */

/** A JSON object (not null, not an array): what a provider's body must be before its members are read. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `value` as JSON with every object's keys sorted, so the same content in another key
 * order is the same text. `omitNull`: members that are null (or undefined) are left out,
 * for a caller's input where an absent field and a null one say the same; kept otherwise
 * (a merge patch's `null` removes a member: it is content). Instants are ISO strings.
 */
export function canonicalJson(value: unknown, options: { readonly omitNull: boolean }): string {
  if (value === undefined || value === null) return 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item, options)).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined && !(options.omitNull && v === null))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v, options)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** RFC 7396 JSON Merge Patch: objects merge member by member, `null` removes a member, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isJsonObject(patch)) return structuredClone(patch);
  const result: Record<string, unknown> = isJsonObject(target) ? { ...target } : {};
  for (const [name, value] of Object.entries(patch)) {
    if (value === null) delete result[name];
    else result[name] = mergePatch(result[name], value);
  }
  return result;
}
