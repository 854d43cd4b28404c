import { GatewayCloseCode, ResumableSubscriptionError } from 'leadgraph/client';
import { describe, expect, it } from 'vitest';
import { isRetryable, recoveryFor } from '../../src/client/recovery.js';
import { toSubscriptionError } from '../../src/client/subscription-error.js';

const close = (code: number, reason = '') => ({ code, reason, wasClean: true });
const refusal = (code: string, extensions: Record<string, unknown> = {}) => [{ message: `refused: ${code}`, extensions: { code, ...extensions } }];

describe('what the client does once graphql-ws gives up on an operation', () => {
  it(`resubscribes after ${GatewayCloseCode.TooFarBehind}, as the gateway asks`, () => {
    expect(recoveryFor(close(GatewayCloseCode.TooFarBehind))).toEqual({ action: 'resubscribe' });
  });

  it('resubscribes after a RATE_LIMITED refusal, waiting the retryAfter it names', () => {
    expect(recoveryFor(refusal('RATE_LIMITED', { retryAfter: 3 }))).toEqual({ action: 'resubscribe', delayMs: 3_000 });
    expect(recoveryFor(refusal('RATE_LIMITED', { retryAfter: 0 }))).toEqual({ action: 'resubscribe' });
  });

  it('ends on anything else: 4401, a close after retries ran out, other refusals, a RATE_LIMITED with no time to wait', () => {
    for (const error of [
      close(GatewayCloseCode.Unauthenticated),
      close(GatewayCloseCode.GoingAway),
      close(4500),
      refusal('UNAUTHENTICATED'),
      refusal('BAD_USER_INPUT'),
      refusal('RATE_LIMITED'),
      [...refusal('RATE_LIMITED', { retryAfter: 1 }), ...refusal('FORBIDDEN')],
      [],
      new Error('boom'),
    ]) {
      expect(recoveryFor(error), JSON.stringify(error)).toEqual({ action: 'fail' });
    }
  });

  it('lets a client it creates retry closes and transport errors, but not an exception of the application', () => {
    expect(isRetryable(close(1006))).toBe(true);
    expect(isRetryable({ type: 'error', message: 'connect ECONNREFUSED 127.0.0.1:4000' })).toBe(true);
    expect(isRetryable(Object.assign(new Error('4499: Terminated'), { code: 4499, reason: 'Terminated' }))).toBe(true);
    expect(isRetryable(new Error('no token to send'))).toBe(false);
  });
});

describe('the error a consumer receives', () => {
  it('says how the subscription ended, with the close code or the gateway\'s errors', () => {
    const closed = toSubscriptionError(close(4401, 'UNAUTHENTICATED: The API key is not valid.'));
    expect(closed).toBeInstanceOf(ResumableSubscriptionError);
    expect(closed).toMatchObject({ kind: 'closed', closeCode: 4401, closeReason: 'UNAUTHENTICATED: The API key is not valid.' });
    expect(closed.message).toBe('the connection closed with 4401 (UNAUTHENTICATED: The API key is not valid.)');

    const refused = toSubscriptionError(refusal('FORBIDDEN'));
    expect(refused).toMatchObject({ kind: 'refused', errors: refusal('FORBIDDEN') });
    expect(refused.message).toBe('the gateway refused the subscription (FORBIDDEN: refused: FORBIDDEN)');

    const failed = toSubscriptionError(new Error('no token to send'));
    expect(failed).toMatchObject({ kind: 'failed', message: 'the connection failed: no token to send', cause: new Error('no token to send') });
    expect(toSubscriptionError({ type: 'error', message: 'connect ECONNREFUSED' }).message).toBe('the connection failed: connect ECONNREFUSED');
  });
});
