import type http from 'node:http';
import { describe, expect, it } from 'vitest';
import { handlerChain, type NodeErrorHandler, type NodeHandler } from '../../../src/http/handler-chain.js';

// The chain only passes the request and response along: plain objects stand in for them.
const req = {} as http.IncomingMessage;
const res = {} as http.ServerResponse;
// Typed wrappers: in a list of both kinds, a bare arrow function's parameters would have no type.
const step = (handler: NodeHandler): NodeHandler => handler;
const onError = (handler: NodeErrorHandler): NodeErrorHandler => handler;

/** Runs `steps` on one request and says what ran, in order, and how the chain ended. */
async function run(steps: (seen: string[]) => (NodeHandler | NodeErrorHandler)[]): Promise<{ seen: string[]; ended: unknown }> {
  const seen: string[] = [];
  const ended = await new Promise((resolve) => handlerChain(steps(seen), (error) => resolve(error === undefined ? 'no error' : error))(req, res));
  return { seen, ended };
}

describe('handlerChain: express semantics on node request and response', () => {
  it('runs plain steps in order and skips error steps when nothing failed; next(null) is no error (the cors package calls it so)', async () => {
    const result = await run((seen) => [
      step((_req, _res, next) => void (seen.push('a'), next())),
      onError((_error, _req, _res, next) => void (seen.push('error step'), next())),
      step((_req, _res, next) => void (seen.push('b'), next(null))),
      step((_req, _res, next) => void (seen.push('c'), next())),
    ]);
    expect(result).toEqual({ seen: ['a', 'b', 'c'], ended: 'no error' });
  });

  it('takes a passed, thrown or rejected error past the plain steps to the next error step', async () => {
    const failures: readonly (readonly [string, NodeHandler])[] = [
      ['passed', (_req, _res, next) => next(new Error('passed'))],
      ['thrown', () => { throw new Error('thrown'); }],
      ['rejected', () => Promise.reject(new Error('rejected'))],
    ];
    for (const [how, failing] of failures) {
      const result = await run((seen) => [
        failing,
        step((_req, _res, next) => void (seen.push('skipped'), next())),
        onError((error, _req, _res, next) => void (seen.push(`handled ${(error as Error).message}`), next())),
        step((_req, _res, next) => void (seen.push('after'), next())),
      ]);
      expect(result, how).toEqual({ seen: [`handled ${how}`, 'after'], ended: 'no error' });
    }
  });

  it('ends with the error no error step answered, and a rejection without a reason is still a failure', async () => {
    const unhandled = new Error('left over');
    expect(await run(() => [step((_req, _res, next) => next(unhandled))])).toEqual({ seen: [], ended: unhandled });
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- what a careless step does
    const { ended } = await run(() => [step(() => Promise.reject(undefined))]);
    expect(ended).toBeInstanceOf(Error);
  });

  it('stops where a step answers without calling next', () => {
    const seen: string[] = [];
    let ended = false;
    const steps: NodeHandler[] = [() => void seen.push('answered'), (_req, _res, next) => void (seen.push('never'), next())];
    handlerChain(steps, () => (ended = true))(req, res);
    expect({ seen, ended }).toEqual({ seen: ['answered'], ended: false });
  });
});
