import {
  createSourceEventStream,
  type DocumentNode,
  execute,
  type ExecutionArgs,
  type ExecutionResult,
} from 'graphql';
import { type CompiledQuery } from 'graphql-jit';
import { type Principal } from '../domain/roles.js';
import { CompiledOperations } from '../graphql/compiled-operations.js';
import { type GraphQLContext } from '../graphql/context.js';

type Result = ExecutionResult | Promise<ExecutionResult>;

/** Distinct subscription documents kept compiled: subscribers send the same few texts (see `document-cache.ts`). */
const COMPILED_DOCUMENTS = 1_000;

/**
 * graphql-ws's `subscribe`, executing each source event once per distinct operation
 * instead of once per subscriber.
 *
 * The status-change hub hands the SAME event object to every matching subscriber of a
 * tenant (`change-hub.ts`); graphql-js's own `subscribe` executes the operation's
 * selection against it for each of them (100 unfiltered subscribers at 500 changes/s
 * were 50,000 executions a second). Here the first subscriber to take an event executes
 * it and the result is remembered for that event object (weakly: it goes with the
 * event); every other subscriber whose operation has the same sharing key gets that
 * same `ExecutionResult`.
 *
 * Why a shared result cannot leak anything between subscribers: the sharing key (see
 * `sharingKey`) is the document, the operation name, the coerced variables, the
 * tenant and the role. Execution of an event depends on nothing else:
 * - the event is one row of the tenant's own log (a hub feed is per tenant; a
 *   replayed row is read for its subscriber alone, so it is never shared at all);
 * - what the principal may do is its role: the per-event role check on the root
 *   field's `resolve` (`field-guards.ts`) gives the same verdict for every principal of
 *   the same role, so the one run on behalf of all of them is the one each would have
 *   run, FORBIDDEN included; the role check of `subscribe` still runs per subscriber;
 * - what it may see is its tenant: loaders and stores are scoped by tenant;
 * - the principal's credential (key or token id) is for logs and rate limits only;
 * - the fields of an event (`StatusChange`, `DispatchChange`) read the event, and what
 *   they link to (`lead`, `record`, `dispatch`) through loaders scoped to the tenant,
 *   made afresh for each event (`GraphQLContext.forEvent`).
 * Operations without a key (not registered through `share`) execute per subscriber,
 * exactly as graphql-js would.
 *
 * Results are never modified after execution (the error formatting makes new objects),
 * so handing one object to many subscribers is safe.
 */
export class SharedEventExecution {
  /** Per event object: its result for each sharing key that executed it. */
  private readonly results = new WeakMap<object, Map<string, Result>>();
  /** Results handed to (possibly) many subscribers: worth serializing once (`isShared`). */
  private readonly sharedResults = new WeakSet<ExecutionResult>();

  /**
   * @param shareable Whether an event may reach several subscribers (the hub's live
   * changes); others (a replay's rows, read for one subscriber) run without bookkeeping.
   */
  constructor(private readonly shareable: (event: unknown) => boolean) {}

  /** Whether `result` was made for every subscriber of its sharing key. */
  isShared(result: ExecutionResult): boolean {
    return this.sharedResults.has(result);
  }
  private readonly keys = new WeakMap<ExecutionArgs, string>();
  private readonly documentIds = new WeakMap<DocumentNode, number>();
  /** Per document (shared by its text, see `document-cache.ts`): its compiled operations, by name. Made on first use: the schema comes with the operation. */
  private compiledOperations: CompiledOperations | undefined;
  private nextDocumentId = 0;

  /**
   * Lets the operation of `args` share event results with the others of the same
   * document, operation name, variables, tenant and role. Without it, it executes alone.
   * `coercedVariables` must be `args.variableValues` as graphql-js coerces them: values
   * that cannot be put in JSON (a BigInt) leave the operation unshared.
   */
  share(args: ExecutionArgs, principal: Principal, coercedVariables: Record<string, unknown>): void {
    let variables: string;
    try {
      variables = JSON.stringify(coercedVariables);
    } catch {
      return;
    }
    let documentId = this.documentIds.get(args.document);
    if (documentId === undefined) {
      documentId = this.nextDocumentId++;
      this.documentIds.set(args.document, documentId);
    }
    // JSON.stringify escapes the separator character in the variables, so keys cannot collide.
    this.keys.set(args, [documentId, args.operationName ?? '', principal.tenantId, principal.role, variables].join('\u0000'));
  }

  /** graphql-js's `subscribe`, with shared execution of each event. */
  readonly subscribe = async (args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> => {
    const stream = await createSourceEventStream(args);
    if (!isAsyncIterable(stream)) return stream;
    return new EventResults(stream[Symbol.asyncIterator](), this, args, this.keys.get(args), this.compiled(args));
  };

  /** One event's result for the operation of `args` (`key`: its sharing key, if it shares). */
  resultFor(event: unknown, args: ExecutionArgs, key: string | undefined, compiled: CompiledQuery | undefined): Result {
    if (key === undefined || typeof event !== 'object' || event === null || !this.shareable(event)) return run(event, args, compiled);
    let byKey = this.results.get(event);
    if (byKey === undefined) {
      byKey = new Map();
      this.results.set(event, byKey);
    }
    let result = byKey.get(key);
    if (result === undefined) {
      result = run(event, args, compiled);
      if (result instanceof Promise) {
        result = result.then((settled) => {
          this.sharedResults.add(settled);
          return settled;
        });
      } else {
        this.sharedResults.add(result);
      }
      byKey.set(key, result);
    }
    return result;
  }

  /**
   * The operation compiled by graphql-jit, once per document and operation name: each
   * event is then executed by a function made for this selection instead of graphql-js
   * walking the document again (coercing variables, collecting the root fields,
   * converting the root field's arguments) for every event of every subscription. The
   * schema's resolvers, scalars and errors are the same; a document graphql-jit cannot
   * compile runs on graphql-js.
   */
  private compiled(args: ExecutionArgs): CompiledQuery | undefined {
    this.compiledOperations ??= new CompiledOperations(args.schema, COMPILED_DOCUMENTS);
    return this.compiledOperations.get(args.document, args.operationName);
  }

}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/** Executes one event for the operation of `args`: compiled when it could be, on graphql-js otherwise. */
function run(event: unknown, args: ExecutionArgs, compiled: CompiledQuery | undefined): Result {
  // Each event runs with its own loaders (see GraphQLContext.forEvent): what it reads is read for it.
  const context = (args.contextValue as Partial<GraphQLContext> | undefined)?.forEvent?.() ?? args.contextValue;
  return compiled === undefined ? execute({ ...args, rootValue: event, contextValue: context }) : compiled.query(event, context, args.variableValues);
}

/**
 * A subscription's source events mapped to results: graphql-js's `mapAsyncIterator`
 * with one promise per event instead of three async-function frames (a synchronous
 * result, the usual case, is not awaited). If mapping fails, the source is closed and
 * the error passed on, as graphql-js does.
 *
 * A class, not closures: an idle subscription holds one of these for as long as it
 * lives, and its methods are shared by all of them instead of being six closures (each
 * with its own name property under tsx) per subscription.
 */
class EventResults implements AsyncIterableIterator<ExecutionResult> {
  constructor(
    private readonly source: AsyncIterator<unknown>,
    private readonly execution: SharedEventExecution,
    private readonly args: ExecutionArgs,
    /** The operation's sharing key; absent: it executes alone. */
    private readonly key: string | undefined,
    private readonly compiled: CompiledQuery | undefined,
  ) {}

  next(): Promise<IteratorResult<ExecutionResult>> {
    return this.source.next().then((item) => this.step(item));
  }

  async return(): Promise<IteratorResult<ExecutionResult>> {
    await this.source.return?.();
    return { value: undefined, done: true };
  }

  async throw(error?: unknown): Promise<IteratorResult<ExecutionResult>> {
    if (this.source.throw === undefined) return this.close(error);
    return this.step(await this.source.throw(error));
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ExecutionResult> {
    return this;
  }

  private step(item: IteratorResult<unknown>): IteratorResult<ExecutionResult> | Promise<IteratorResult<ExecutionResult>> {
    if (item.done === true) return { value: undefined, done: true };
    let result: Result;
    try {
      result = this.execution.resultFor(item.value, this.args, this.key, this.compiled);
    } catch (error) {
      return this.close(error);
    }
    return result instanceof Promise
      ? result.then(
          (value) => ({ value, done: false as const }),
          (error: unknown) => this.close(error),
        )
      : { value: result, done: false };
  }

  private async close(error: unknown): Promise<never> {
    try {
      await this.source.return?.();
    } catch {
      // The mapping error is the one to report.
    }
    throw error;
  }
}
