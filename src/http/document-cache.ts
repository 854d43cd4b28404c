import { type DocumentNode } from 'graphql';

/** A document the cache holds: parsed, and once one operation has validated it, `valid`. */
export interface CachedDocument {
  /** The text the document was parsed from: one string for every operation that sent it. */
  readonly text: string;
  readonly document: DocumentNode;
  /** Set once validation found no error; until then the document must be validated before it runs. */
  valid: boolean;
}

/**
 * Operations that parsed, by their text, and whether they passed validation.
 * Subscribers send the same few subscription documents over and over (20,000
 * subscriptions may be one text); a subscription holds its document for as long as it
 * lives, so without this each held its own copy of the syntax tree, token list
 * included, and paid parsing, validation and compilation again. A document depends
 * only on its text (variables are coerced per operation) and graphql-js never modifies
 * one, so sharing it changes nothing but memory and CPU.
 *
 * A document is held from its parse, before it is validated: a burst of subscriptions
 * with one text (every client reconnecting at once) arrives while the first is still
 * waiting for its rate limit, and each would otherwise parse, validate and compile a
 * copy of its own (measured: three quarters of what a subscription allocated while
 * 5,000 opened, with `bench/stream/opening-allocations.ts`). The first to pass
 * validation marks it valid; one that fails removes it, so an invalid text is parsed
 * again next time, as before. Bounded: the least recently used text goes first.
 */
export class DocumentCache {
  private readonly entries = new Map<string, CachedDocument>();

  constructor(private readonly capacity: number) {}

  get(text: string): CachedDocument | undefined {
    const entry = this.entries.get(text);
    if (entry !== undefined) {
      // Most recently used last: Map keeps insertion order.
      this.entries.delete(text);
      this.entries.set(text, entry);
    }
    return entry;
  }

  /** Holds a document that parsed (not validated yet), and answers its entry. */
  add(text: string, document: DocumentNode): CachedDocument {
    const entry: CachedDocument = { text, document, valid: false };
    this.entries.delete(text);
    this.entries.set(text, entry);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    return entry;
  }

  /** Lets go of a document that failed validation (unless the text holds another entry by now). */
  remove(text: string, entry: CachedDocument): void {
    if (this.entries.get(text) === entry) this.entries.delete(text);
  }
}
