// CI's schema checks: `npm run schema:check`.
//  1. schema.graphql is exactly what the code emits (nobody forgot `npm run schema:emit`).
//  2. findBreakingChanges(contract, schema) is empty but for parts listed, with their
//     issue, in contract-pending.ts.
import 'reflect-metadata';
import { readFile } from 'node:fs/promises';
import { buildSchema, findBreakingChanges } from 'graphql';
import { buildGatewaySchema, printGatewaySchema } from '../src/graphql/schema.js';
import { PENDING_CONTRACT_PARTS } from './contract-pending.js';

const contractPath = new URL('../../shared/api-contract.graphql', import.meta.url);
const committedPath = new URL('../schema.graphql', import.meta.url);

const schema = await buildGatewaySchema();
const emitted = printGatewaySchema(schema);
const committed = await readFile(committedPath, 'utf8').catch(() => '');
let failed = false;

if (committed !== emitted) {
  console.error('schema.graphql is not what the code emits: run `npm run schema:emit` and commit the result.');
  failed = true;
} else {
  console.log('ok: schema.graphql matches the code');
}

const contract = buildSchema(await readFile(contractPath, 'utf8'));
const breaking = findBreakingChanges(contract, buildSchema(committed || emitted)).map((c) => c.description);
const pending = new Set(PENDING_CONTRACT_PARTS.map((p) => p.description));
const unexpected = breaking.filter((description) => !pending.has(description));
const stale = [...pending].filter((description) => !breaking.includes(description));

for (const description of unexpected) console.error(`breaking change against the contract: ${description}`);
for (const description of stale) {
  console.error(`contract-pending.ts lists "${description}", which is no longer breaking: remove it.`);
}
if (unexpected.length > 0 || stale.length > 0) failed = true;
else {
  console.log(
    PENDING_CONTRACT_PARTS.length === 0
      ? 'ok: compatible with the whole contract'
      : `ok: compatible with the contract, but for ${PENDING_CONTRACT_PARTS.length} parts still to build (${[...new Set(PENDING_CONTRACT_PARTS.map((p) => `#${p.issue}`))].join(', ')})`,
  );
}
process.exit(failed ? 1 : 0);
