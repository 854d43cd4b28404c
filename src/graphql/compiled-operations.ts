import { type DocumentNode, type GraphQLSchema, isEnumType } from 'graphql';
import { compileQuery, type CompiledQuery, isCompiledQuery } from 'graphql-jit';

/**
 * Operations compiled by graphql-jit, once per document and operation name, for HTTP
 * queries and mutations (`http/compiled-executor.ts`) and subscription events
 * (`http/shared-event-execution.ts`) alike.
 *
 * A compiled operation is a function made for one selection: it runs the schema's own
 * resolvers, scalars and type resolvers, but no longer walks the document, re-collects
 * fields or re-coerces arguments for each object of the answer, which is most of what
 * graphql-js spends on a page of 50 leads (about 7,000 field resolutions).
 *
 * Bounded: a compiled operation holds generated code and closures, and a client may
 * send any number of distinct documents, so the least recently used goes first. A
 * document graphql-jit refuses to compile is remembered as `undefined` (it runs on
 * graphql-js) rather than compiled again on every request.
 */
export class CompiledOperations {
  /** Most recently used last: a Map keeps insertion order. */
  private readonly entries = new Map<DocumentNode | string, Map<string, CompiledQuery | undefined>>();
  /** Leaves written as the resolvers return them: see {@link enumValuesAreTheirNames}. */
  private readonly leavesAsReturned: boolean;

  /**
   * @param schema The executable schema every operation is compiled against.
   * @param capacity How many documents to keep compiled (each with its operations).
   */
  constructor(
    private readonly schema: GraphQLSchema,
    private readonly capacity: number,
  ) {
    this.leavesAsReturned = enumValuesAreTheirNames(schema);
  }

  /**
   * The compiled operation of `document` named `operationName`, or `undefined` when
   * graphql-jit cannot compile it (the caller then runs graphql-js's `execute`).
   *
   * @param key What identifies the document: its source text (HTTP: a re-parsed copy of
   * the same text is the same operation), or the document itself when it is already
   * shared by text (subscriptions, `document-cache.ts`).
   */
  get(document: DocumentNode, operationName: string | null | undefined, key: DocumentNode | string = document): CompiledQuery | undefined {
    let byName = this.entries.get(key);
    if (byName === undefined) {
      byName = new Map();
      this.entries.set(key, byName);
      if (this.entries.size > this.capacity) {
        const oldest = this.entries.keys().next();
        if (oldest.done !== true) this.entries.delete(oldest.value);
      }
    } else if (this.entries.size > 1) {
      this.entries.delete(key);
      this.entries.set(key, byName);
    }
    const name = operationName ?? '';
    if (byName.has(name)) return byName.get(name);
    const compiled = compileOrUndefined(this.schema, document, operationName ?? undefined, this.leavesAsReturned);
    byName.set(name, compiled);
    return compiled;
  }
}

/**
 * Whether every enum of `schema` has its names as its values, so that compiled
 * operations may write enum and built-in scalar values (String, Int, Float, Boolean, ID)
 * as the resolvers return them, without graphql-js's serializer.
 * graphql-jit wraps each such leaf in a call that allocates on every value (its error
 * handler's arguments): about 7,500 calls on a page of 50 leads, some 6 % of its CPU
 * (`bench/read/cpu-per-request.ts --baseline`). The answer is the same when every such
 * value already is what the serializer returns: ids and texts strings, counts and
 * amounts numbers, flags booleans (as the row mappers hydrate them), and each enum value
 * its own name, which is checked here: a schema with an enum whose values are not its
 * names keeps the serializers. `compiled-execution.test.ts` holds the rest to it: every
 * field of the schema, compiled against graphql-js, byte for byte. Custom scalars (dates,
 * JSON) always keep their serializers.
 */
export function enumValuesAreTheirNames(schema: GraphQLSchema): boolean {
  return Object.values(schema.getTypeMap()).every(
    (type) => !isEnumType(type) || type.name.startsWith('__') || type.getValues().every((value) => value.value === value.name),
  );
}

function compileOrUndefined(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined, disableLeafSerialization: boolean): CompiledQuery | undefined {
  try {
    const compiled = compileQuery(schema, document, operationName, { disableLeafSerialization });
    return isCompiledQuery(compiled) ? compiled : undefined;
  } catch {
    // graphql-jit reports what it cannot compile as errors, but a throw must not fail the request either.
    return undefined;
  }
}
