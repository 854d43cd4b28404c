/** Something wrong with a command, found before it is sent: the field (in the command's terms) and why. */
export interface InputProblem {
  /** Path in the command, e.g. `documents[1].consentedAt`. */
  readonly field: string;
  readonly expected: string;
  readonly got: unknown;
}
