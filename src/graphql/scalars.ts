import { GraphQLJSONObject } from 'graphql-scalars';
import { GraphQLISODateTime } from 'type-graphql';

/** `DateTimeISO`: ISO 8601, always UTC on output. */
export const DateTimeISO = GraphQLISODateTime;
/** `JSONObject`: an arbitrary JSON object. */
export const JSONObject = GraphQLJSONObject;
