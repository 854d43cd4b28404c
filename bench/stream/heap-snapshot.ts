/** Objects and their self size, per constructor (or node type for non-objects), in one heap snapshot. */
export type ConstructorSizes = Map<string, { count: number; bytes: number }>;

/** The parts of V8's `.heapsnapshot` JSON this reads. */
interface HeapSnapshot {
  readonly snapshot: { readonly meta: { readonly node_fields: string[]; readonly node_types: [string[], ...unknown[]] } };
  readonly nodes: number[];
  readonly strings: string[];
}

/**
 * Sums a snapshot's nodes by constructor: objects by their constructor's name,
 * closures as `(closure) <function name>`, arrays, strings, code and the rest by V8's node type in
 * parentheses, as Chrome DevTools' summary view groups them.
 */
export function byConstructor(heap: HeapSnapshot): ConstructorSizes {
  const fields = heap.snapshot.meta.node_fields;
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const types = heap.snapshot.meta.node_types[0];
  const sizes: ConstructorSizes = new Map();
  for (let i = 0; i < heap.nodes.length; i += width) {
    const type = types[heap.nodes[i + typeAt]!] ?? 'unknown';
    const label = heap.strings[heap.nodes[i + nameAt]!] ?? '?';
    // A closure by its function's name: which code made it is what says who holds it.
    const name = type === 'object' ? label : type === 'closure' ? `(closure) ${label || '(anonymous)'}` : `(${type})`;
    const entry = sizes.get(name) ?? { count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += heap.nodes[i + sizeAt]!;
    sizes.set(name, entry);
  }
  return sizes;
}
