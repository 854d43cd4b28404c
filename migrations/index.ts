import { InitialSchema0000000000001 } from './0001-initial-schema.js';

/** Every migration, in order; an explicit list so tsc, tsx and vitest find the same files. */
export const MIGRATIONS = [InitialSchema0000000000001];
