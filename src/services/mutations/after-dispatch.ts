import { isDatabaseUnavailable } from '../../db/unavailable.js';

/**
 * The record a dispatching mutation answers with, once its dispatch is written: read
 * again (the provider's answer may have been applied meanwhile), or, when the
 * database cannot answer now, as it was read before the dispatch was written
 * (`before`, made only then). The dispatch is committed and will be sent; a failed
 * read must not turn its answer into an error, or the caller would never learn the
 * dispatch's id to follow it.
 */
export async function recordAfterDispatch<T>(read: () => Promise<T | null>, before: () => T): Promise<T> {
  try {
    return (await read()) ?? before();
  } catch (error) {
    if (!isDatabaseUnavailable(error)) throw error;
    return before();
  }
}
