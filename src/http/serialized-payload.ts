/**
 * A `next` message's payload serialized once, for every subscriber it goes to.
 *
 * graphql-ws builds each message as `{ id, type, payload }` and serializes it whole,
 * for each subscriber: the same result was turned into the same JSON 100 times per
 * change for 100 unfiltered subscribers. graphql-ws has no way to send text it did not
 * serialize, so the payload stands in for itself: handed to graphql-ws in place of the
 * result (from `onNext`), it serializes as a placeholder string, and the transport
 * (`spliceSerializedPayload`, on the way to the socket) swaps the placeholder for the
 * JSON made once. The hand-over is synchronous: graphql-ws serializes a message and
 * passes it to the transport's `send` in one expression, with nothing in between.
 */
export class SerializedPayload {
  constructor(
    /** The payload's JSON. */
    readonly json: string,
  ) {}

  /** Called by `JSON.stringify`: leaves a placeholder, and the JSON for the transport to put there. */
  toJSON(): string {
    pending = this.json;
    return PLACEHOLDER;
  }
}

/** Not a string any result or client-chosen text can make `"payload"` the last key of a message with. */
const PLACEHOLDER = '\u0000leadgraph:serialized-payload';
/**
 * graphql-ws writes `payload` last (`{ id, type, payload }`), so the placeholder is the
 * message's tail. Matching the tail, not any occurrence, leaves a client's operation id
 * that happens to read like the placeholder alone.
 */
const TAIL = `,"payload":${JSON.stringify(PLACEHOLDER)}}`;

/** The JSON of the last `SerializedPayload` serialized, until the transport takes it. */
let pending: string | undefined;

/**
 * The message to put on the wire: `message` with a serialized payload's placeholder
 * replaced by its JSON. Messages without one come back unchanged.
 */
export function spliceSerializedPayload(message: string): string {
  const json = pending;
  if (json === undefined) return message;
  pending = undefined;
  // Not the tail: the JSON was left by a payload serialized outside a message (a log line, say).
  if (!message.endsWith(TAIL)) return message;
  return `${message.slice(0, message.length - TAIL.length)},"payload":${json}}`;
}
