import { buildSchema, type ExecutionArgs, type ExecutionResult, parse } from 'graphql';
import { MessageType, stringifyMessage } from 'graphql-ws';
import { describe, expect, it } from 'vitest';
import { type Principal } from '../../src/domain/roles.js';
import { SerializedPayload, spliceSerializedPayload } from '../../src/http/serialized-payload.js';
import { SharedEventExecution } from '../../src/http/shared-event-execution.js';

const schema = buildSchema(`
  type Query { ok: Boolean }
  type Event { id: ID!, seenBy: String }
  type Subscription { events(tag: String): Event }
`);

/** A subscription field whose events come from `source`, and whose result says whose context executed it. */
function withSource(source: () => AsyncIterable<object>): void {
  const field = schema.getSubscriptionType()!.getFields().events!;
  field.subscribe = () => source();
  field.resolve = (event: object, _args, context: { who: string }) => ({ ...event, seenBy: context.who });
}

const viewer = (credential: string, tenantId = 't1'): Principal => ({ tenantId, role: 'viewer', credential: { kind: 'api-key', id: credential } });
const document = parse('subscription ($tag: String) { events(tag: $tag) { id seenBy } }');

async function firstResult(execution: SharedEventExecution, who: string, principal: Principal | undefined, event: object, tag = 'a'): Promise<ExecutionResult> {
  withSource(async function* () {
    yield await Promise.resolve(event);
  });
  const args: ExecutionArgs = { schema, document, variableValues: { tag }, contextValue: { who } };
  if (principal !== undefined) execution.share(args, principal, { tag });
  const stream = await execution.subscribe(args);
  if (!(Symbol.asyncIterator in stream)) throw new Error(`no stream: ${JSON.stringify(stream)}`);
  const step = await stream.next();
  await stream.return?.();
  return step.value as ExecutionResult;
}

describe('SharedEventExecution', () => {
  it('executes an event once for operations of the same document, variables, tenant and role', async () => {
    const execution = new SharedEventExecution(() => true);
    const event = { id: '1' };
    const a = await firstResult(execution, 'a', viewer('key-a'), event);
    const b = await firstResult(execution, 'b', viewer('key-b'), event);
    expect(b).toBe(a);
    expect(a.data).toEqual({ events: { id: '1', seenBy: 'a' } });
    expect(execution.isShared(a)).toBe(true);
  });

  it('does not share across variables, tenants or roles, nor when the operation was not registered', async () => {
    const execution = new SharedEventExecution(() => true);
    const event = { id: '1' };
    await firstResult(execution, 'a', viewer('key-a'), event);
    expect((await firstResult(execution, 'tag', viewer('key-a'), event, 'b')).data).toEqual({ events: { id: '1', seenBy: 'tag' } });
    expect((await firstResult(execution, 'tenant', viewer('key-a', 't2'), event)).data).toEqual({ events: { id: '1', seenBy: 'tenant' } });
    const admin: Principal = { ...viewer('key-a'), role: 'admin' };
    expect((await firstResult(execution, 'role', admin, event)).data).toEqual({ events: { id: '1', seenBy: 'role' } });
    expect((await firstResult(execution, 'alone', undefined, event)).data).toEqual({ events: { id: '1', seenBy: 'alone' } });
  });

  it('executes an event that is not shareable (a replayed row) for each operation, and marks no result shared', async () => {
    const execution = new SharedEventExecution(() => false);
    const event = { id: '1' };
    const a = await firstResult(execution, 'a', viewer('key-a'), event);
    const b = await firstResult(execution, 'b', viewer('key-b'), event);
    expect(b.data).toEqual({ events: { id: '1', seenBy: 'b' } });
    expect(execution.isShared(a)).toBe(false);
  });

  it('reports an error thrown while executing an event as graphql-js would: the message, the path, the original error', async () => {
    const execution = new SharedEventExecution(() => true);
    class Refused extends Error {}
    const field = schema.getSubscriptionType()!.getFields().events!;
    withSource(async function* () {
      yield await Promise.resolve({ id: '1' });
    });
    field.resolve = () => {
      throw new Refused('not for you');
    };
    const args: ExecutionArgs = { schema, document, variableValues: { tag: 'a' }, contextValue: { who: 'x' } };
    const stream = await execution.subscribe(args);
    if (!(Symbol.asyncIterator in stream)) throw new Error('no stream');
    const result = (await stream.next()).value as ExecutionResult;
    await stream.return?.();
    expect(result.data).toEqual({ events: null });
    expect(result.errors?.map((error) => ({ message: error.message, path: error.path, original: error.originalError instanceof Refused }))).toEqual([
      { message: 'not for you', path: ['events'], original: true },
    ]);
  });

  it('executes each event object anew', async () => {
    const execution = new SharedEventExecution(() => true);
    await firstResult(execution, 'a', viewer('key-a'), { id: '1' });
    expect((await firstResult(execution, 'b', viewer('key-b'), { id: '1' })).data).toEqual({ events: { id: '1', seenBy: 'b' } });
  });
});

describe('SerializedPayload', () => {
  it("is spliced into graphql-ws's own next message", () => {
    const payload = { data: { events: { id: '1', note: 'a "quoted" \u0000 text' } } };
    const message = stringifyMessage({ id: 'op-1', type: MessageType.Next, payload: new SerializedPayload(JSON.stringify(payload)) as unknown as ExecutionResult });
    expect(JSON.parse(spliceSerializedPayload(message))).toEqual({ id: 'op-1', type: 'next', payload });
  });

  it('leaves other messages alone, an operation id that reads like the placeholder included', () => {
    const placeholder = '\u0000leadgraph:serialized-payload';
    const complete = stringifyMessage({ id: placeholder, type: MessageType.Complete });
    expect(spliceSerializedPayload(complete)).toBe(complete);
    const message = stringifyMessage({ id: placeholder, type: MessageType.Next, payload: new SerializedPayload('{"data":null}') as unknown as ExecutionResult });
    expect(JSON.parse(spliceSerializedPayload(message))).toEqual({ id: placeholder, type: 'next', payload: { data: null } });
    // A payload serialized outside a message leaves nothing behind for the next one.
    JSON.stringify(new SerializedPayload('{"data":1}'));
    expect(spliceSerializedPayload(complete)).toBe(complete);
  });
});
