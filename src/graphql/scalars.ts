import { GraphQLISODateTime } from 'type-graphql';
import { BoundedJSONObject } from './bounded-json.js';

/** `DateTimeISO`: ISO 8601, always UTC on output. */
export const DateTimeISO = GraphQLISODateTime;
/** `JSONObject`: an arbitrary JSON object, bounded in depth and size as input (see bounded-json.ts). */
export const JSONObject = BoundedJSONObject;
