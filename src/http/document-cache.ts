import { type DocumentNode } from 'graphql';

/**
 * Operations that parsed and validated, by their text. Subscribers send the same few
 * subscription documents over and over (20,000 subscriptions may be one text); a
 * subscription holds its document for as long as it lives, so without this each held
 * its own copy of the syntax tree, token list included, and paid parsing and validation
 * again. A document depends only on its text (variables are coerced per operation) and
 * graphql-js never modifies one, so sharing it changes nothing but memory and CPU.
 * Bounded: the least recently used text goes first.
 */
export class DocumentCache {
  private readonly documents = new Map<string, DocumentNode>();

  constructor(private readonly capacity: number) {}

  get(text: string): DocumentNode | undefined {
    const document = this.documents.get(text);
    if (document !== undefined) {
      // Most recently used last: Map keeps insertion order.
      this.documents.delete(text);
      this.documents.set(text, document);
    }
    return document;
  }

  /** Remembers a document that parsed and passed validation (never a rejected one). */
  set(text: string, document: DocumentNode): void {
    this.documents.delete(text);
    this.documents.set(text, document);
    if (this.documents.size > this.capacity) {
      const oldest = this.documents.keys().next();
      if (oldest.done !== true) this.documents.delete(oldest.value);
    }
  }
}
