// Writes schema.graphql from the resolvers: `npm run schema:emit`.
import 'reflect-metadata';
import { writeFile } from 'node:fs/promises';
import { buildGatewaySchema, printGatewaySchema } from '../src/graphql/schema.js';

const target = new URL('../schema.graphql', import.meta.url);
await writeFile(target, printGatewaySchema(await buildGatewaySchema()));
console.log('wrote schema.graphql');
