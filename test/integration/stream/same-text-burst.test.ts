import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Provider } from '../../../src/domain/vocabulary.js';
import { seedLead } from '../../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../../support/gateway.js';
import { appendChanges, change, lastChangeId } from '../../support/status-log.js';

const VALID = `subscription ($after: ID, $leadId: ID) { statusChanged(after: $after, leadId: $leadId) { id to } }`;
/** Parses, fails validation (no such field). */
const INVALID = `subscription ($after: ID) { statusChanged(after: $after) { id noSuchField } }`;
/** Valid and invalid together stay under MAX_SUBSCRIPTIONS_PER_CONNECTION (50) and the start budget (120 a minute). */
const BURST = 20;

interface Message {
  readonly id?: string;
  readonly type: string;
  readonly payload?: unknown;
}

/**
 * A burst of subscriptions with one text, all sent before the first is answered (a
 * fleet of clients reconnecting at once): the gateway parses and validates each text
 * once and shares the document (`http/document-cache.ts`), and that must change no
 * answer. Each valid subscription gets its own replay, each invalid one its own
 * validation errors, and an invalid text stays invalid afterwards.
 */
describe('a burst of subscriptions with one text, on one socket', () => {
  let gateway: TestGateway;
  let socket: WebSocket;
  const received: Message[] = [];
  let arrived: () => void = () => undefined;

  /** Resolves once `done` holds of what the socket received (checked at each message). */
  const until = (done: () => boolean) =>
    new Promise<void>((resolve) => {
      if (done()) return resolve();
      arrived = () => {
        if (done()) resolve();
      };
    });
  const send = (message: Message) => socket.send(JSON.stringify(message));
  const of = (id: string) => received.filter((message) => message.id === id);

  beforeAll(async () => {
    gateway = await startTestGateway();
    socket = new WebSocket(gateway.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    socket.on('message', (data: Buffer) => {
      received.push(JSON.parse(data.toString('utf8')) as Message);
      arrived();
    });
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    send({ type: 'connection_init', payload: { authorization: `Bearer ${gateway.api.token}` } });
    await until(() => received.some((message) => message.type === 'connection_ack'));
  });
  afterAll(async () => {
    socket?.close();
    await gateway?.stop();
  });

  it('answers every one as if it came alone: each valid one its replay, each invalid one its errors', async () => {
    const lead = await seedLead(gateway.db);
    const after = await lastChangeId(gateway.db);
    const ids = await appendChanges(gateway.db, [change(lead.leadId, Provider.TECHEA, 'burst-1', 'A'), change(lead.leadId, Provider.TECHEA, 'burst-2', 'B')]);

    // Interleaved, in one go: none is answered before all are sent.
    for (let i = 0; i < BURST; i++) {
      send({ id: `valid-${i}`, type: 'subscribe', payload: { query: VALID, variables: { after, leadId: lead.leadId } } });
      send({ id: `invalid-${i}`, type: 'subscribe', payload: { query: INVALID, variables: { after } } });
    }
    const done = () =>
      Array.from({ length: BURST }, (_, i) => i).every((i) => of(`valid-${i}`).length >= ids.length && of(`invalid-${i}`).length >= 1);
    await until(done);

    for (let i = 0; i < BURST; i++) {
      const events = of(`valid-${i}`);
      expect(events.map((message) => message.type)).toEqual(['next', 'next']);
      expect(events.map((message) => (message.payload as { data: { statusChanged: { id: string } } }).data.statusChanged.id)).toEqual(ids);
      const [refusal] = of(`invalid-${i}`);
      expect(refusal?.type).toBe('error');
      expect(refusal?.payload).toEqual([expect.objectContaining({ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })]);
    }

    // The invalid text was not kept as valid: it is refused again on its own.
    send({ id: 'invalid-again', type: 'subscribe', payload: { query: INVALID, variables: { after } } });
    await until(() => of('invalid-again').length >= 1);
    expect(of('invalid-again')).toEqual([
      { id: 'invalid-again', type: 'error', payload: [expect.objectContaining({ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })] },
    ]);
  });
});
