/**
 * One lead, live: its state from one query (with `statusHead`), then every change after
 * that head from `statusChanged` through `leadgraph/client` (written to the cache, so the
 * state shown follows; listed in the live log), and every dispatch's end from
 * `dispatchChanged`, so a mutation that answered PENDING is followed to SUCCEEDED or
 * FAILED without polling.
 */
import { type ResumableSubscription } from 'leadgraph/client';
import { type Gateway, subscriptionText } from './apollo';
import { fill, h, select, time } from './dom';
import { describeError } from './errors';
import {
  type ApplicationStatus,
  type DispatchEndsSubscription,
  type DispatchFieldsFragment,
  type DispatchState,
  type LeadEvent,
  type LeadLiveSubscription,
  type LeadPageQuery,
  type LoanStatus,
  type VerificationState,
} from './gql/graphql';
import { DispatchEnds, LeadLive, LeadPage, ReportLeadEvent, UpdateApplication, UpdateVerificationStatus, UpsertLoan } from './operations';

type Lead = NonNullable<LeadPageQuery['lead']>;
type StatusChange = LeadLiveSubscription['statusChanged'];
type DispatchChange = DispatchEndsSubscription['dispatchChanged'];

const LEAD_EVENTS: readonly LeadEvent[] = ['REGISTRATION', 'LOAN_ISSUED', 'LOAN_REJECTED', 'LOAN_PAID', 'LOAN_DEFAULTED'];
const APPLICATION_STATUSES: readonly ApplicationStatus[] = ['APPROVED', 'DECLINED', 'CANCELED'];
const VERIFICATION_STATES: readonly VerificationState[] = ['OK', 'KO', 'CANCELLED'];
const LOAN_STATUSES: readonly LoanStatus[] = ['CURRENT', 'PAST_DUE', 'PAID_IN_FULL', 'WRITTEN_OFF', 'ORIGINATED', 'APPROVED', 'DENIED', 'WITHDRAWN', 'EXPIRED', 'REVERSED'];

/** One dispatch the page follows: what started it, and where it stands. */
interface Followed {
  label: string;
  state: DispatchState;
  attempts: number;
  lastError: DispatchFieldsFragment['lastError'];
  /** `answered PENDING`, then each move the stream reported (`PENDING → SUCCEEDED`). */
  readonly moves: string[];
  /** Whether `dispatchChanged` has spoken: from then on it, not a late answer, says where the dispatch stands. */
  streamed: boolean;
  readonly row: HTMLTableRowElement;
}

export function leadView(root: HTMLElement, { apollo, leadgraph }: Gateway, leadId: string): () => void {
  const state = h('section', { id: 'lead-state' }, 'Loading…');
  const actions = h('section', { id: 'actions' });
  const actionError = h('p', { id: 'action-error', class: 'error', hidden: true });
  const dispatches = h('tbody');
  const log = h('ol', { id: 'live-log' });
  const streamError = h('p', { id: 'stream-error', class: 'error', hidden: true });
  fill(
    root,
    h('p', {}, h('a', { href: '#/' }, '← all leads')),
    h('h2', {}, `Lead ${leadId}`),
    state,
    h('h3', {}, 'Change it'),
    actions,
    actionError,
    h('h3', {}, 'Dispatches'),
    h('table', { id: 'dispatches' }, h('thead', {}, h('tr', {}, h('th', {}, 'What'), h('th', {}, 'State'), h('th', {}, 'Attempts'), h('th', {}, 'Moves'), h('th', {}, 'Error'))), dispatches),
    h('h3', {}, 'Live log'),
    log,
    streamError,
  );

  let lead: Lead | undefined;
  const live: ResumableSubscription[] = [];
  const followed = new Map<string, Followed>();

  // The state and statusHead in one query, from the network; afterwards the cache, which the
  // live events keep right, brings every change back here.
  const watching = apollo
    .watchQuery({ query: LeadPage, variables: { id: leadId }, fetchPolicy: 'network-only', nextFetchPolicy: 'cache-first' })
    .subscribe({
      next: (result) => {
        if (result.error !== undefined) return fill(state, h('p', { class: 'error' }, describeError(result.error)));
        if (result.dataState !== 'complete') return;
        if (result.data.lead === null) return fill(state, h('p', {}, 'No such lead.'));
        const first = lead === undefined;
        lead = result.data.lead;
        showState(lead);
        if (first) {
          showActions(lead);
          startLive(result.data.statusHead);
        }
      },
    });

  /** Both streams start right after the head the state was read at: nothing is missed in between. */
  function startLive(head: string): void {
    log.dataset.after = head;
    live.push(
      leadgraph.subscribe<LeadLiveSubscription>(
        { query: subscriptionText(LeadLive), operationName: 'LeadLive', variables: { leadId }, after: head },
        {
          next: ({ data }) => {
            // The lead and the changed record come as they are now: writing the event updates them where cached.
            apollo.cache.writeQuery({ query: LeadLive, variables: { leadId, after: head }, data, id: 'ROOT_SUBSCRIPTION' });
            logChange(data.statusChanged);
          },
          error: (error) => showStreamError(`statusChanged ended: ${error.message}`),
        },
      ),
      leadgraph.subscribe<DispatchEndsSubscription>(
        { query: subscriptionText(DispatchEnds), operationName: 'DispatchEnds', variables: { leadId }, after: head },
        {
          next: ({ data }) => {
            apollo.cache.writeQuery({ query: DispatchEnds, variables: { leadId, after: head }, data, id: 'ROOT_SUBSCRIPTION' });
            followStream(data.dispatchChanged);
          },
          error: (error) => showStreamError(`dispatchChanged ended: ${error.message}`),
        },
      ),
    );
  }

  function showState(lead: Lead): void {
    root.dataset.stage = lead.stage;
    const loan = lead.loans[0];
    fill(
      state,
      h(
        'dl',
        {},
        h('dt', {}, 'Stage'),
        h('dd', { id: 'stage' }, lead.stage),
        h('dt', {}, 'TECHEA'),
        h('dd', { id: 'techea' }, lead.techeaLeadId === null ? '—' : `${lead.techeaLeadId}: ${lead.lastEvent ?? 'no event yet'}`),
        h('dt', {}, 'Lead Bank application'),
        h('dd', { id: 'application' }, lead.application === null ? '—' : `${lead.application.id}: ${lead.application.status ?? 'undecided'}`),
        h('dt', {}, 'Tecalis verification'),
        h('dd', { id: 'verification' }, lead.verification === null ? '—' : `${lead.verification.authUuid}: ${lead.verification.status}`),
        h('dt', {}, 'Latest loan'),
        h('dd', { id: 'loan' }, loan === undefined ? '—' : `${loan.loanId}: ${loan.loanStatus ?? 'unknown'}, ${(loan.loanAmountCents / 100).toFixed(2)}`),
        h('dt', {}, 'Updated'),
        h('dd', {}, time(lead.updatedAt)),
      ),
    );
  }

  /** A form per provider the lead has a record at: each runs one mutation and follows its dispatch. */
  function showActions(lead: Lead): void {
    const forms: HTMLFormElement[] = [];
    if (lead.techeaLeadId !== null) {
      forms.push(
        form('report-event', 'Report to TECHEA', select('event', LEAD_EVENTS), async (values) => {
          const event = values.get('event') as LeadEvent;
          const { data } = await apollo.mutate({ mutation: ReportLeadEvent, variables: { input: { leadId, event, idempotencyKey: newKey() } } });
          return { label: `TECHEA: event ${event}`, dispatch: data?.reportLeadEvent.dispatch };
        }),
      );
    }
    const application = lead.application;
    if (application !== null) {
      forms.push(
        form('update-application', 'Decide at Lead Bank', select('status', APPLICATION_STATUSES), async (values) => {
          const status = values.get('status') as ApplicationStatus;
          // Lead Bank wants an adverse action notice with every decline.
          const notice = status === 'DECLINED' ? { deliveredAt: new Date().toISOString(), reason: 'outside credit policy', deliveryMethod: 'email' } : undefined;
          const { data } = await apollo.mutate({
            mutation: UpdateApplication,
            variables: { input: { applicationId: application.id, status, ...(notice && { adverseActionNotice: notice }), idempotencyKey: newKey() } },
          });
          return { label: `Lead Bank: application ${status}`, dispatch: data?.updateApplication.dispatch };
        }),
      );
    }
    const verification = lead.verification;
    if (verification !== null) {
      forms.push(
        form('update-verification', 'Finish at Tecalis', select('state', VERIFICATION_STATES), async (values) => {
          const state = values.get('state') as VerificationState;
          const { data } = await apollo.mutate({
            mutation: UpdateVerificationStatus,
            variables: { input: { authUuid: verification.authUuid, state, idempotencyKey: newKey() } },
          });
          return { label: `Tecalis: verification ${state}`, dispatch: data?.updateVerificationStatus.dispatch };
        }),
      );
    }
    const loan = lead.loans[0];
    if (loan !== undefined) {
      forms.push(
        form('upsert-loan', `Report loan ${loan.loanId} to Decision Cloud`, select('loanStatus', LOAN_STATUSES), async (values) => {
          const loanStatus = values.get('loanStatus') as LoanStatus;
          const { data } = await apollo.mutate({
            mutation: UpsertLoan,
            variables: {
              input: {
                customerId: loan.customerId,
                loanId: loan.loanId,
                leadId,
                loanStatus,
                loanAmountCents: loan.loanAmountCents,
                appliedAt: loan.appliedAt,
                ...(loan.decisionCloudLeadId !== null && { decisionCloudLeadId: loan.decisionCloudLeadId }),
                ...(loan.managementSystemId !== null && { managementSystemId: loan.managementSystemId }),
                idempotencyKey: newKey(),
              },
            },
          });
          return { label: `Decision Cloud: loan ${loanStatus}`, dispatch: data?.upsertLoan.dispatch };
        }),
      );
    }
    fill(actions, ...(forms.length > 0 ? forms : [h('p', {}, 'This lead has no provider record to change.')]));
  }

  type Outcome = { label: string; dispatch: DispatchFieldsFragment | undefined };

  function form(id: string, title: string, field: HTMLSelectElement, run: (values: FormData) => Promise<Outcome>): HTMLFormElement {
    const button = h('button', { type: 'submit' }, 'Send');
    const element = h('form', { id }, h('label', {}, `${title} `, field), button);
    element.addEventListener('submit', (event) => {
      event.preventDefault();
      button.disabled = true;
      actionError.hidden = true;
      run(new FormData(element))
        .then(({ label, dispatch }) => {
          if (dispatch !== undefined) followAnswer(label, dispatch);
        })
        .catch((error: unknown) => {
          actionError.hidden = false;
          actionError.textContent = describeError(error);
        })
        .finally(() => (button.disabled = false));
    });
    return element;
  }

  /** The mutation's answer: SUCCEEDED or FAILED is the end; PENDING means the stream will say. */
  function followAnswer(label: string, dispatch: DispatchFieldsFragment): void {
    const entry = follow(dispatch.id, label);
    entry.label = label;
    entry.moves.unshift(`answered ${dispatch.state}`);
    if (!entry.streamed) Object.assign(entry, { state: dispatch.state, attempts: dispatch.attempts, lastError: dispatch.lastError });
    showDispatch(dispatch.id, entry);
  }

  /** A move from `dispatchChanged`, in log order: where the dispatch stands now. */
  function followStream(change: DispatchChange): void {
    const { dispatch } = change;
    const entry = follow(dispatch.id, `${dispatch.provider}: ${dispatch.operation}`);
    entry.moves.push(`${change.from} → ${change.to}`);
    Object.assign(entry, { state: change.to, attempts: dispatch.attempts, lastError: dispatch.lastError, streamed: true });
    showDispatch(dispatch.id, entry);
  }

  function follow(id: string, label: string): Followed {
    let entry = followed.get(id);
    if (entry === undefined) {
      entry = { label, state: 'PENDING', attempts: 0, lastError: null, moves: [], streamed: false, row: h('tr', { 'data-dispatch-id': id }) };
      followed.set(id, entry);
      dispatches.append(entry.row);
    }
    return entry;
  }

  function showDispatch(id: string, { label, state, attempts, lastError, moves, row }: Followed): void {
    row.dataset.state = state;
    row.dataset.attempts = String(attempts);
    if (lastError === null) delete row.dataset.errorCode;
    else row.dataset.errorCode = lastError.errorCode;
    fill(
      row,
      h('td', { title: id }, label),
      h('td', { class: 'state' }, state),
      h('td', {}, String(attempts)),
      h('td', {}, moves.join(', ')),
      h('td', { class: 'error-message' }, lastError === null ? '' : `${lastError.errorCode}${lastError.httpStatus === null ? '' : ` (${lastError.httpStatus})`}: ${lastError.message}`),
    );
  }

  function logChange(change: StatusChange): void {
    log.append(
      h(
        'li',
        { 'data-id': change.id, 'data-provider': change.provider, 'data-from': change.from ?? '', 'data-to': change.to },
        `#${change.id} ${time(change.occurredAt)} ${change.provider} ${change.from ?? '∅'} → ${change.to}`,
        change.dispatch === null ? '' : ` (dispatch ${change.dispatch.id.slice(0, 8)}, ${change.dispatch.state})`,
      ),
    );
  }

  function showStreamError(text: string): void {
    streamError.hidden = false;
    streamError.textContent = text;
  }

  return () => {
    watching.unsubscribe();
    for (const subscription of live) subscription.unsubscribe();
  };
}

/** An idempotency key per click: a retry of the same request is then applied once. */
function newKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `web-${Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}
