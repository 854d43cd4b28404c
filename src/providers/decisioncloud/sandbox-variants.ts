import { type SandboxRequest, type SandboxResponse } from '../sandbox/sandbox-server.js';

/** Only the loan upsert's answer varies; the token endpoint answers as usual. */
const onLoanUpsert =
  (vary: (answer: SandboxResponse) => SandboxResponse) =>
  (answer: SandboxResponse, request: SandboxRequest): SandboxResponse =>
    request.method === 'POST' && request.path.endsWith('/loans') ? vary(answer) : answer;

const storedLoan = (answer: SandboxResponse) => ((answer.body ?? {}) as { data?: Record<string, unknown> }).data ?? {};

/** `2021-09-25T04:01:57Z` as Laravel serialises a datetime: microseconds. */
const laravel = (value: unknown) => (typeof value === 'string' ? value.replace(/(:\d{2})Z$/, '$1.000000Z') : value);

/**
 * How Decision Cloud may really answer an upsert it applied (fault setting
 * `answerVariant`): its page documents no response, so a 204 without a body, a
 * Laravel `{message}`, Laravel's timestamps (microseconds, dates cast to midnight
 * timestamps), or enum values the page does not list.
 */
export const DECISION_CLOUD_ANSWER_VARIANTS = {
  'no-content': onLoanUpsert(() => ({ status: 204 })),
  'message-only': onLoanUpsert((answer) => ({ status: answer.status, body: { message: 'Loan saved.' } })),
  'laravel-timestamps': onLoanUpsert((answer) => {
    const loan = storedLoan(answer);
    return {
      ...answer,
      body: {
        data: {
          ...loan,
          applied_at: laravel(loan.applied_at),
          esigned_at: laravel(loan.esigned_at),
          withdrawn_at: laravel(loan.withdrawn_at),
          originated_at: laravel(loan.originated_at),
          first_payment_date: typeof loan.first_payment_date === 'string' ? `${loan.first_payment_date}T00:00:00.000000Z` : loan.first_payment_date,
        },
      },
    };
  }),
  'unknown-enums': onLoanUpsert((answer) => ({ ...answer, body: { data: { ...storedLoan(answer), loan_status: 'Charged Off', loan_type: 'Balloon' } } })),
} as const;
