import { BoundedJSONObject } from './bounded-json.js';
import { DateTimeISOScalar } from './iso-date-time.js';

/** `DateTimeISO`: ISO 8601, always UTC on output (see iso-date-time.ts). */
export const DateTimeISO = DateTimeISOScalar;
/** `JSONObject`: an arbitrary JSON object, bounded in depth and size as input (see bounded-json.ts). */
export const JSONObject = BoundedJSONObject;
