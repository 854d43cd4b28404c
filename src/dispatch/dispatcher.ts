import { EventEmitter, once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { type DataSource } from 'typeorm';
import { type DispatchConfig } from '../config.js';
import { type DispatchEntity, type StoredProviderError } from '../db/entities/index.js';
import { isDatabaseUnavailable } from '../db/unavailable.js';
import { assertNever } from '../domain/assert-never.js';
import { DispatchState } from '../domain/vocabulary.js';
import { type Logger } from '../logger.js';
import { type DispatchObserver } from '../observability/observers.js';
import { currentRequestId, withScope } from '../observability/request-context.js';
import { type CommandLike, ProviderCallError, type ProviderId } from '../providers/index.js';
import { AccountApplications, type CurrentApplications } from '../connections/application-readers.js';
import { type ConfirmedResult, settleWithResult } from './apply-result.js';
import { applyRetryDelayMs, type BreakerVerdict, decide } from './backoff.js';
import { type BreakerState } from './circuit-breaker.js';
import { breakerKey } from './breaker-key.js';
import { FleetBreakers } from './fleet-breakers.js';
import { type SharedBreaker } from './shared-breaker.js';
import { type Claim, type DispatchIntent, Outbox, type Recorded, type RecordOptions } from './outbox.js';
import { type GuardedRecord, type RecordGuard } from './record-guard.js';
import { KeyedSerializer } from './keyed-serializer.js';
import { recordKeyOf } from './record-key.js';
import { type DispatchTargets, sendCommand } from './send-command.js';

/** What the dispatcher needs. */
export interface DispatcherDeps {
  readonly db: DataSource;
  /** The providers it sends to (each one's breaker, adapter and commands). */
  readonly providers: DispatchTargets;
  readonly config: DispatchConfig;
  readonly logger: Logger;
  readonly random?: () => number;
  /** Counts attempts, settlements and provider calls (the gateway's metrics). */
  readonly metrics?: DispatchObserver;
}

/**
 * Sends the outbox. Every gateway instance runs one: it makes the first attempt of
 * its own mutations, then claims due dispatches (of any instance) with a lease,
 * retries transient failures with backoff, and stops calling a provider while its
 * circuit breaker is open. Delivery is at least once upstream and exactly once in
 * effect: every attempt of a dispatch carries its idempotency key.
 */
export class Dispatcher {
  readonly outbox: Outbox;
  /** Shared with every instance on the database (see `shared-breaker.ts`). */
  private readonly breakers: FleetBreakers;
  private readonly events = new EventEmitter();
  private readonly inFlight = new Set<Promise<unknown>>();
  /** This instance's attempts on one provider record go one at a time (see `record-key.ts`). */
  private readonly perRecord = new KeyedSerializer();
  /** Lead Bank's applications as it holds them now, for an answer that cannot be placed (see `services/application-order.ts`). */
  private readonly currentApplications: CurrentApplications;
  private running = false;
  /** Aborted by `stop()` (a fresh one at each `start()`): a confirmed result waiting for the database is left to the lease then. */
  private stopping = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly deps: DispatcherDeps) {
    this.breakers = new FleetBreakers(
      deps.db,
      // A probe holds its turn as long as a claim holds a dispatch: longer than any attempt.
      { failureThreshold: deps.config.breakerFailureThreshold, cooldownMs: deps.config.breakerCooldownMs, probeLeaseMs: deps.config.leaseMs },
      deps.logger,
      deps.providers.registry.ids,
    );
    // A new dispatch's row comes with its provider's breaker, read in the same statement for its first attempt.
    this.outbox = new Outbox(deps.db, deps.providers.registry, (provider, stored, readStartedAt) => this.breakers.of(provider).adopt(stored, stored.now, readStartedAt));
    this.events.setMaxListeners(0);
    this.currentApplications = new AccountApplications(deps.providers.registry, deps.providers.adapters, deps.providers.connections);
  }

  /** Each provider's breaker state, for /readyz and metrics. */
  breakerStates(): Record<ProviderId, BreakerState> {
    return this.breakers.states();
  }

  /**
   * Records the intent and makes the first attempt, waiting at most `waitMs` for it.
   * A replay of a known key sends nothing and answers the first dispatch as it is now.
   *
   * Once the row is committed, the answer is never an error: when the database fails
   * afterwards (while the attempt runs, or while its confirmed result waits to be
   * applied), the dispatch is answered as written, `PENDING` with its id and key, so the
   * caller can follow it; the attempt goes on and applies the result when it can.
   */
  submit(intent: DispatchIntent): Promise<DispatchEntity> {
    // Tracked from the start: a stop waits for a submit that is still writing its row,
    // so no attempt can begin once the stop has returned (and the database is closed).
    return this.track(this.recordAndAttempt(intent));
  }

  /**
   * {@link submit}, only when `guard` finds the intent's record and it fits (see
   * {@link RecordGuard}): the record is read in the statement that writes the dispatch.
   * Null when nothing was written, with what the guard found.
   */
  submitGuarded(intent: DispatchIntent, guard: RecordGuard): Promise<{ dispatch: DispatchEntity | null; guarded: GuardedRecord }> {
    return this.track(this.recordAndAttemptGuarded(intent, guard));
  }

  private async recordAndAttempt(intent: DispatchIntent): Promise<DispatchEntity> {
    const { recording, options } = await this.recording(intent);
    return this.attemptRecorded(await this.outbox.record(recording, options));
  }

  private async recordAndAttemptGuarded(intent: DispatchIntent, guard: RecordGuard): Promise<{ dispatch: DispatchEntity | null; guarded: GuardedRecord }> {
    const { recording, options } = await this.recording(intent);
    const { recorded, guarded } = await this.outbox.recordGuarded(recording, guard, options);
    return { dispatch: recorded === null ? null : await this.attemptRecorded(recorded), guarded };
  }

  /** How the intent's row is written: with this request's id, claimed for its first attempt unless the provider's breaker holds calls back. */
  private async recording(intent: DispatchIntent): Promise<{ recording: DispatchIntent; options: RecordOptions }> {
    // A stale "closed" costs only a claim the attempt gives back (it reads the row before it calls).
    const breaker = this.breakers.of(breakerKey(intent.tenantId, intent.provider));
    const open = await breaker.holdsBackNow();
    const requestId = currentRequestId();
    return {
      recording: { ...intent, ...(requestId !== undefined && { requestId }) },
      options: {
        maxAttempts: this.deps.config.maxAttempts,
        leaseMs: this.deps.config.leaseMs,
        claim: !open,
        // With the breaker open the mutation is still accepted: it waits for the probe.
        runAt: new Date(open ? breaker.retryAt : Date.now()),
      },
    };
  }

  /** Makes the first attempt of a dispatch just written (when its caller claimed it), waiting at most `waitMs` for it. */
  private async attemptRecorded({ dispatch, claim }: Recorded): Promise<DispatchEntity> {
    if (claim === null) return dispatch;
    if (this.stopping.signal.aborted) {
      // Stopping: the row is committed, and is left due at once for whichever instance claims next
      // (when the database cannot take that now, the claim's expiry does the same, later).
      await this.outbox.release(claim, new Date()).catch(() => undefined);
      return dispatch;
    }
    const requestId = currentRequestId();
    let deferred!: () => void;
    const applyDeferred = new Promise<'deferred'>((resolve) => (deferred = () => resolve('deferred')));
    const attempt = this.track(this.attempt(claim, requestId, deferred));
    let timer: NodeJS.Timeout | undefined;
    const settled = await Promise.race([
      attempt,
      applyDeferred,
      new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), this.deps.config.waitMs))),
    ]);
    clearTimeout(timer);
    // The provider confirmed, the database cannot take it now: no use asking it how the row is.
    if (settled === 'deferred') return dispatch;
    // A success hands back the row it committed; anything else is read as it now is.
    return settled ?? (await this.asItIs(dispatch));
  }

  /** The dispatch as it now is; as written when the database cannot say (it is committed: its answer must not be lost). */
  private async asItIs(written: DispatchEntity): Promise<DispatchEntity> {
    try {
      return (await this.outbox.find(written.tenantId, written.id)) ?? written;
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      this.deps.logger.warn({ err: error, dispatchId: written.id }, 'could not read a dispatch after its attempt; answering it as written (PENDING)');
      return written;
    }
  }

  /** Starts claiming due dispatches every `pollMs`. */
  start(): void {
    if (this.running) return;
    this.running = true;
    if (this.stopping.signal.aborted) this.stopping = new AbortController();
    const tick = async () => {
      if (!this.running) return;
      try {
        await this.claimAndSend();
      } catch (error) {
        this.deps.logger.error({ err: error }, 'dispatcher could not claim due dispatches');
      }
      if (this.running) {
        this.timer = setTimeout(() => {
          this.loop = tick();
        }, this.deps.config.pollMs);
      }
    };
    this.loop = tick();
  }

  /**
   * Stops claiming, and waits for the calls in flight (each bounded by the provider
   * timeout). Dispatches not finished are left to other instances: their claims expire.
   */
  async stop(): Promise<void> {
    this.running = false;
    this.stopping.abort();
    clearTimeout(this.timer);
    await this.loop;
    // Until none is left: a submit in flight may start its attempt while the first ones settle.
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Resolves when the dispatch is SUCCEEDED or FAILED (at once if it already is). */
  async settled(tenantId: string, id: string): Promise<DispatchEntity> {
    const settledEvent = once(this.events, `settled:${id}`);
    const now = await this.outbox.find(tenantId, id);
    if (now !== null && now.state !== DispatchState.PENDING) return now;
    await settledEvent;
    return (await this.outbox.find(tenantId, id))!;
  }

  /** Resolves after the dispatch's next attempt has been recorded, whatever its outcome. */
  async attempted(id: string): Promise<void> {
    await once(this.events, `attempted:${id}`);
  }

  private async claimAndSend(): Promise<void> {
    const room = this.deps.config.concurrency - this.inFlight.size;
    if (room <= 0) return;
    await this.breakers.refresh();
    const open = this.breakers.heldBack();
    const claims = await this.outbox.claimDue(room, this.deps.config.leaseMs, open);
    // The request id stored with the dispatch: a retry logs the id of the request that asked for it.
    for (const claim of claims) void this.track(this.attempt(claim, claim.dispatch.requestId ?? undefined));
  }

  /** `work`, held in {@link inFlight} until it settles. Its rejection stays the caller's (a submit's refusal): none is made here. */
  private track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    const forget = () => void this.inFlight.delete(work);
    work.then(forget, forget);
    return work;
  }

  /**
   * One attempt of a claimed dispatch: call, then record the outcome under the claim.
   * It never rejects: whatever fails here (the database included) is logged, and the
   * dispatch stays PENDING with its claim, which expires and lets it be sent again.
   *
   * It runs in the scope of the request that asked for the dispatch (its log lines,
   * and the provider client's, carry the request id) and of this instance's metrics.
   * Resolves with the dispatch as committed when this attempt settled it SUCCEEDED.
   */
  private async attempt(claim: Claim, requestId: string | undefined, onApplyDeferred?: () => void): Promise<DispatchEntity | undefined> {
    const scope = { ...(requestId !== undefined && { requestId }), ...(this.deps.metrics !== undefined && { providerCalls: this.deps.metrics }) };
    return withScope(scope, async () => {
      const log = this.deps.logger.child({ dispatchId: claim.dispatch.id, provider: claim.dispatch.provider, operation: claim.dispatch.operation });
      try {
        const command = claim.dispatch.payload as unknown as CommandLike;
        return await this.perRecord.run(recordKeyOf(command, this.deps.providers.registry), () => this.tryAttempt(claim, log, onApplyDeferred));
      } catch (error) {
        log.error({ err: error }, 'could not record the outcome of a dispatch attempt; its claim will expire and it will be sent again');
        return undefined;
      } finally {
        this.events.emit(`attempted:${claim.dispatch.id}`);
      }
    });
  }

  private async tryAttempt(claim: Claim, log: Logger, onApplyDeferred?: () => void): Promise<DispatchEntity | undefined> {
    const { dispatch } = claim;
    const breaker = this.breakers.of(breakerKey(dispatch.tenantId, dispatch.provider));
    if (!(await breaker.tryAcquire())) {
      this.deps.metrics?.dispatchAttempt(dispatch.provider, 'held');
      await this.outbox.release(claim, new Date(breaker.retryAt));
      return undefined;
    }
    try {
      const confirmed = await sendCommand(
        this.deps.providers,
        dispatch.payload as unknown as CommandLike,
        {
          // Upstream, the key is the dispatch's id: the same on every attempt of this dispatch,
          // and unique across tenants (callers' keys are unique per tenant only, and tenants
          // without a connection of their own share the environment's account).
          idempotencyKey: dispatch.id,
        },
        { tenantId: dispatch.tenantId, version: claim.connectionVersion },
      );
      await breaker.recordSuccess();
      this.deps.metrics?.dispatchAttempt(dispatch.provider, 'succeeded');
      const settled = await this.applyWhenPossible(claim, confirmed, log, onApplyDeferred);
      if (settled !== null) this.deps.metrics?.dispatchSettled(dispatch.provider, DispatchState.SUCCEEDED);
      log.info({ attempts: dispatch.attempts }, 'dispatch succeeded');
      this.events.emit(`settled:${dispatch.id}`);
      return settled ?? undefined;
    } catch (error) {
      await this.recordFailure(claim, error, breaker, log);
      return undefined;
    }
  }

  /**
   * Marks the dispatch SUCCEEDED and applies what the provider confirmed, in one
   * transaction. This instance alone holds the provider's answer: while the database is
   * unavailable it tries again, soon and often (see `applyRetryDelayMs`), so the
   * result is applied as soon as the database is back rather than when the lease runs
   * out and another instance sends the call again. Bounded by the claim's lease (after
   * it, that resend is due anyway) and by `stop()`. Applying twice is impossible: the
   * update only takes a PENDING row.
   */
  private async applyWhenPossible(
    claim: Claim,
    confirmed: ConfirmedResult,
    log: Logger,
    onDeferred: (() => void) | undefined,
  ): Promise<DispatchEntity | null> {
    const { dispatch } = claim;
    const leaseEnds = dispatch.lockedUntil?.getTime() ?? Date.now() + this.deps.config.leaseMs;
    for (let retries = 0; ; retries++) {
      try {
        return await settleWithResult(this.deps.db, this.deps.providers.registry, this.outbox, dispatch, confirmed, this.currentApplications);
      } catch (error) {
        const wait = applyRetryDelayMs(retries);
        if (!isDatabaseUnavailable(error) || this.stopping.signal.aborted || Date.now() + wait >= leaseEnds) throw error;
        if (retries === 0) {
          log.warn({ err: error }, 'the provider confirmed the dispatch but the database is unavailable; applying it as soon as the database is back');
          onDeferred?.();
        }
        // Woken early by stop(), which then ends the loop above.
        await delay(wait, undefined, { signal: this.stopping.signal }).catch(() => undefined);
      }
    }
  }

  /** Carries out what the retry policy ({@link decide}) says of a failed attempt. */
  private async recordFailure(claim: Claim, error: unknown, breaker: SharedBreaker, log: Logger): Promise<void> {
    const { dispatch } = claim;
    const providerError = error instanceof ProviderCallError ? error : undefined;
    const decision = decide(providerError, dispatch, { ...this.policy(), ...(this.deps.random !== undefined && { random: this.deps.random }) });
    await this.tellBreaker(breaker, decision.breaker);
    this.deps.metrics?.dispatchAttempt(dispatch.provider, decision.outcome);
    const stored: StoredProviderError | null =
      providerError === undefined ? null : { code: providerError.code, httpStatus: providerError.httpStatus, message: providerError.message };
    // A failure inside the gateway is always retried: `fail` comes with a provider error.
    if (decision.action === 'fail') {
      await this.outbox.settleFailed(claim, stored!);
      this.deps.metrics?.dispatchSettled(dispatch.provider, DispatchState.FAILED);
      if (decision.outcome === 'refused') log.warn({ code: stored!.code, httpStatus: stored!.httpStatus }, 'dispatch refused by the provider');
      else log.warn({ code: stored!.code, attempts: dispatch.attempts }, 'dispatch failed: no attempts left');
      this.events.emit(`settled:${dispatch.id}`);
      return;
    }
    const runAt = new Date(Date.now() + decision.delayMs);
    if (decision.outcome === 'gateway_error') {
      log.error({ err: error }, 'dispatch attempt failed inside the gateway; it will be retried');
      // The database may be what failed: the claim's expiry retries it then.
      await this.outbox.scheduleRetry(claim, null, runAt).catch(() => undefined);
      return;
    }
    await this.outbox.scheduleRetry(claim, stored, runAt);
    log.info({ code: stored!.code, attempts: dispatch.attempts, retryInMs: decision.delayMs }, 'dispatch will be retried');
  }

  private async tellBreaker(breaker: SharedBreaker, verdict: BreakerVerdict): Promise<void> {
    switch (verdict) {
      case 'up':
        return breaker.recordSuccess();
      case 'down':
        return breaker.recordFailure();
      case 'unknown':
        return breaker.abandonProbe();
      default:
        return assertNever(verdict, 'breaker verdict');
    }
  }

  private policy() {
    return { baseMs: this.deps.config.backoffBaseMs, maxMs: this.deps.config.backoffMaxMs };
  }
}
