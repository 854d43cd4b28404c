import { type ValueTransformer } from 'typeorm';

/**
 * pg returns `bigint` as a string to stay exact. Amounts in cents are bounded by the
 * GraphQL `Int` they are served as (2^31 - 1), far inside Number's exact range.
 */
export const bigintAsNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};
