import net from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';
import { type ExecutionResult } from 'graphql';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { seedLead } from '../support/fixtures.js';
import { type TestGateway, startTestGateway } from '../support/gateway.js';
import { postGraphQL, queryData } from '../support/graphql-client.js';
import { executeOverWebSocket } from '../support/ws-client.js';

/*
 * A few thousand malformed and hostile requests, over HTTP, raw TCP and graphql-ws, against
 * the real gateway: every one must be refused with a 4xx JSON error (or a WebSocket close
 * code that names the fault), none may reach the last-resort handler or log an internal
 * error, normal callers must be served throughout, and the heap must stop growing.
 *
 * Every input comes from a seeded PRNG: a failure names its category, round and index, and
 * ROBUSTNESS_SEED=<seed> regenerates exactly the same requests.
 */
const SEED = Number(process.env.ROBUSTNESS_SEED ?? 0x1eadc0de) >>> 0;

/** The default body limit, MAX_BODY_BYTES: the huge bodies are sized around it. */
const MAX_BODY = 1_048_576;

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

/** mulberry32: small, fast and good enough to pick inputs; the same seed gives the same run. */
class Random {
  private state: number;

  constructor(...seeds: number[]) {
    // Mixes the parts (seed, round, category, index) so neighbouring requests differ entirely.
    let state = 0x9e3779b9;
    for (const part of seeds) state = Math.imul(state ^ (part >>> 0), 0x85ebca6b) ^ (state >>> 13);
    this.state = state >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  bytes(length: number): Buffer {
    const bytes = Buffer.alloc(length);
    for (let i = 0; i < length; i++) bytes[i] = this.int(0, 255);
    return bytes;
  }

  /** Characters drawn from `alphabet`. */
  text(length: number, alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-'): string {
    let text = '';
    for (let i = 0; i < length; i++) text += alphabet[this.int(0, alphabet.length - 1)];
    return text;
  }

  /** Any code points at all: controls, NUL, lone surrogates, private use, astral planes. */
  unicode(length: number): string {
    let text = '';
    for (let i = 0; i < length; i++) {
      const plane = this.int(0, 3);
      text += String.fromCodePoint(plane === 0 ? this.int(0, 0x7f) : plane === 1 ? this.int(0x80, 0xffff) : this.int(0x10000, 0x10ffff));
    }
    return text;
  }

  uuid(): string {
    const hex = this.text(32, '0123456789abcdef');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
  }
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** Printable Latin-1 without space: what fetch lets through in a header, and Node accepts. */
const LATIN1 = Array.from({ length: 0xff - 0x20 }, (_, i) => String.fromCharCode(0x21 + i))
  .filter((c) => c.charCodeAt(0) !== 0x7f && (c.charCodeAt(0) < 0x80 || c.charCodeAt(0) >= 0xa0))
  .join('');

// ---------------------------------------------------------------------------------------------
// Hostile inputs

const LEAD_FIELDS = ['id', 'techeaLeadId', 'advertiserRef', 'stage', 'lastEvent', 'createdAt', 'updatedAt', 'decisionCloudCustomerId'];

const INJECTIONS = [
  "' OR '1'='1",
  "'; DROP TABLE lead; --",
  '" OR ""="',
  '1; SELECT pg_sleep(10)',
  '$1',
  '%00',
  '\\x00',
  '../../../../etc/passwd',
  '${jndi:ldap://example.invalid/a}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  '__proto__',
  'constructor',
  '{"$gt": ""}',
  'lgk_',
  'NaN',
  '1e309',
  'null',
  '\u202e\u200b\ufeff',
  '😀👩‍👩‍👧‍👦',
];

/**
 * A string a client should never send as an id. `nul: false` leaves out U+0000 (every
 * argument takes it today: the gateway refuses it as bad input before any SQL).
 */
function garbageString(rng: Random, nul: boolean): string {
  const value = rng.pick([
    () => '\u0000'.repeat(rng.int(1, 8)) + rng.text(rng.int(0, 20)),
    () => `\ud800${rng.text(rng.int(0, 10))}\udfff`,
    () => rng.pick(INJECTIONS),
    () => rng.unicode(rng.int(1, 200)),
    () => rng.text(rng.int(1, 40), ' \t\r\n\u00a0\u2028'),
    () => 'a'.repeat(rng.int(256, 200_000)),
    () => `00000000-0000-0000-0000-00000000000${rng.pick(['\u0000', 'g', 'Z', '\u0660', ''])}`,
    () => rng.uuid(),
    () => `application_${rng.unicode(rng.int(1, 20))}`,
    () => '',
  ])();
  return nul ? value : value.replaceAll('\u0000', '');
}

/** A selection nested far past the depth limit, in one of several shapes. */
function deepQuery(rng: Random, leadId: string): string {
  const depth = rng.int(30, 400);
  switch (rng.int(0, 3)) {
    case 0: {
      // lead → application → lead → …: the schema's own cycle.
      let selection = 'id';
      for (let i = 0; i < depth; i++) selection = i % 2 === 0 ? `application { ${selection} }` : `lead { ${selection} }`;
      return `{ lead(id: "${leadId}") { ${selection} } }`;
    }
    case 1: {
      // The same cycle through named fragments, each spreading the next.
      const fragments = Array.from({ length: depth }, (_, i) =>
        i % 2 === 0 ? `fragment F${i} on Lead { application { ...F${i + 1} } }` : `fragment F${i} on Application { lead { ...F${i + 1} } }`,
      );
      fragments.push(depth % 2 === 0 ? `fragment F${depth} on Lead { id }` : `fragment F${depth} on Application { id }`);
      return `{ leads { edges { node { ...F0 } } } } ${fragments.join(' ')}`;
    }
    case 2: {
      let selection = 'id';
      for (let i = 0; i < depth; i++) {
        selection = i % 2 === 0 ? `... on Lead { verification { ${selection} } }` : `... on Verification { lead { ${selection} } }`;
      }
      return `{ leads { edges { node { ${selection} } } } }`;
    }
    default: {
      // Unbalanced: opened and never closed, or closed too often.
      return rng.chance(0.5) ? `{ ${'leads { edges { node { application { lead { '.repeat(depth)}` : `{ leads { totalCount } ${'} '.repeat(depth)}`;
    }
  }
}

/** More fields, fragments or cost than any limit allows. */
function wideQuery(rng: Random): string {
  switch (rng.int(0, 3)) {
    case 0: {
      const fields = Array.from({ length: rng.int(2_100, 6_000) }, () => rng.pick(LEAD_FIELDS)).join(' ');
      return `{ leads { edges { node { ${fields} } } } }`;
    }
    case 1: {
      // Lists inside lists: each level multiplies the cost by its page size.
      return `{ leads(first: 100) { edges { node { history(first: 100) { id } loans { loanId } application { documents { type } lead { history(first: 100) { id from to } } } } } } }`;
    }
    case 2: {
      // Two tokens a spread: past 2,000 tokens however small the fragment.
      const spreads = Array.from({ length: rng.int(1_050, 3_000) }, () => '...L').join(' ');
      return `{ leads { edges { node { ${spreads} } } } } fragment L on Lead { id stage }`;
    }
    default:
      // Hundreds of operations in one document, for operationName to choose from.
      return Array.from({ length: rng.int(500, 2_000) }, (_, i) => `query q${i} { __typename }`).join(' ');
  }
}

function aliasBomb(rng: Random, leadId: string): string {
  const count = rng.int(100, 600);
  switch (rng.int(0, 2)) {
    case 0:
      return `{ ${Array.from({ length: count }, (_, i) => `a${i}: leads(first: 100) { totalCount }`).join(' ')} }`;
    case 1:
      return `{ leads { edges { node { ${Array.from({ length: count }, (_, i) => `x${i}: ${rng.pick(LEAD_FIELDS)}`).join(' ')} } } } }`;
    default: {
      // Aliases inside a fragment, multiplied by every spread of it.
      const inner = Array.from({ length: 20 }, (_, i) => `l${i}: lead(id: "${leadId}") { id }`).join(' ');
      return `{ ${Array.from({ length: rng.int(5, 30) }, () => '...Q').join(' ')} } fragment Q on Query { ${inner} }`;
    }
  }
}

function directiveFlood(rng: Random): string {
  const count = rng.int(40, 300);
  switch (rng.int(0, 2)) {
    case 0:
      return `{ leads ${'@include(if: true) '.repeat(count)}{ totalCount } }`;
    case 1:
      return `{ leads { edges { node { ${Array.from({ length: count }, (_, i) => `f${i % 10}: ${LEAD_FIELDS[i % LEAD_FIELDS.length]} @skip(if: false)`).join(' ')} } } } }`;
    default:
      return `{ leads ${Array.from({ length: count }, () => `@${rng.text(rng.int(1, 12), 'abcdefghij')}`).join(' ')} { totalCount } }`;
  }
}

/** A document the gateway refuses before running it (parse or validation). */
function hostileDocument(rng: Random, leadId: string): string {
  return rng.pick([
    () => deepQuery(rng, leadId),
    () => wideQuery(rng),
    () => aliasBomb(rng, leadId),
    () => directiveFlood(rng),
    () => rng.unicode(rng.int(1, 500)),
    () => `{ ${rng.text(rng.int(1, 30), 'abcdefghij')} }`,
  ])();
}

/** Something in the Authorization header that is no credential of this gateway. */
function badAuthorization(rng: Random, adminKey: string): string | undefined {
  return rng.pick([
    () => undefined,
    () => '',
    () => 'Bearer',
    () => `Bearer lgk_${rng.text(43, BASE64URL)}`,
    () => `Bearer lgk_${rng.text(rng.int(1, 200), BASE64URL)}`,
    () => `Bearer ${rng.text(rng.int(10, 60), BASE64URL)}.${rng.text(rng.int(10, 200), BASE64URL)}.${rng.text(rng.int(0, 80), BASE64URL)}`,
    () => `Basic ${Buffer.from(`${rng.text(8)}:${rng.text(8)}`).toString('base64')}`,
    () => `Bearer ${rng.text(rng.int(1, 100), LATIN1)}`,
    () => `Bearer ${'x'.repeat(rng.int(1_000, 8_000))}`,
    () => `Bearer ${rng.text(5)} ${rng.text(5)}`,
    () => `${rng.pick(['Token', 'JWT', 'Digest', 'Bearer:', 'Bearerlgk_'])} ${adminKey}`,
    () => {
      // The admin key with one character changed: same shape, another hash.
      const at = rng.int(4, adminKey.length - 1);
      const swapped = BASE64URL[(BASE64URL.indexOf(adminKey[at]!) + rng.int(1, 63)) % 64]!;
      return `Bearer ${adminKey.slice(0, at)}${swapped}${adminKey.slice(at + 1)}`;
    },
    () => `Bearer ${adminKey}${rng.text(rng.int(1, 5), BASE64URL)}`,
  ])();
}

// ---------------------------------------------------------------------------------------------
// HTTP requests and their checks

interface FloodTarget {
  readonly url: string;
  readonly adminKey: string;
  /** An admin of another tenant: the mutations of the flood write there, never where the normal traffic reads. */
  readonly otherKey: string;
  readonly leadId: string;
}

interface HostileRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body?: string | Buffer;
  /** The statuses a correct gateway answers this request with. */
  readonly expected: readonly number[];
}

interface PostOptions {
  /** The credential; `null` sends no Authorization header. Default: the admin key. */
  readonly token?: string | null;
  /** `null` sends no Content-Type. Default: application/json. */
  readonly contentType?: string | null;
  readonly headers?: Record<string, string>;
  readonly url?: string;
  readonly method?: string;
}

function post(target: FloodTarget, body: string | Buffer, expected: readonly number[], options: PostOptions = {}): HostileRequest {
  const token = options.token === undefined ? target.adminKey : options.token;
  const contentType = options.contentType === undefined ? 'application/json' : options.contentType;
  return {
    method: options.method ?? 'POST',
    url: options.url ?? target.url,
    headers: {
      ...(contentType !== null && { 'content-type': contentType }),
      ...(token !== null && { authorization: `Bearer ${token}` }),
      ...options.headers,
    },
    body,
    expected,
  };
}

const request = (query: string, variables?: Record<string, unknown>) => JSON.stringify({ query, variables });

/** Operations taking one string argument, and whether U+0000 is safe to send them today. */
const STRING_ARGUMENTS: ReadonlyArray<{ readonly query: string; readonly other?: true; readonly nul: boolean }> = [
  { query: 'query ($v: ID!) { lead(id: $v) { id stage } }', nul: true },
  { query: 'query ($v: ID!) { leadByTecheaId(techeaLeadId: $v) { id } }', nul: true },
  { query: 'query ($v: ID!) { application(id: $v) { id status } }', nul: true },
  { query: 'query ($v: ID!) { verification(authUuid: $v) { authUuid } }', nul: true },
  { query: 'query ($v: ID!) { dispatch(id: $v) { id } }', nul: true },
  { query: 'query ($v: ID) { statusChanges(leadId: $v) { id } }', nul: true },
  { query: 'query ($v: ID) { statusChanges(after: $v) { id } }', nul: true },
  { query: 'query ($v: String) { leads(after: $v) { totalCount } }', nul: true },
  { query: 'query ($v: ID!) { loan(loanId: $v, customerId: $v) { loanId } }', nul: true },
  { query: 'query ($v: ID!) { loan(loanId: "loan_1", customerId: $v) { loanId } }', nul: true },
  { query: 'mutation ($v: ID!) { revokeApiKey(id: $v) { id } }', other: true, nul: true },
  { query: 'mutation ($v: ID) { createLead(input: { techeaLeadId: $v }) { id } }', other: true, nul: true },
  { query: 'mutation ($v: ID) { createLead(input: { applicationId: $v }) { id } }', other: true, nul: true },
  { query: 'mutation ($v: ID) { createLead(input: { verificationAuthUuid: $v }) { id } }', other: true, nul: true },
];

/** A JSON value of any type but the one expected. */
function wrongJson(rng: Random, not: 'string' | 'object'): unknown {
  const values: unknown[] = [rng.int(-1e9, 1e9), true, [rng.text(3)]];
  if (not !== 'string') values.push(rng.text(rng.int(1, 20)));
  if (not !== 'object') values.push({ [rng.text(4)]: rng.text(4) });
  return rng.pick(values);
}

/** Any bytes, percent-encoded: invalid UTF-8 included, which encodeURIComponent cannot produce. */
const percentEncoded = (bytes: Buffer) => [...bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

type HttpCategory = (rng: Random, target: FloodTarget) => HostileRequest;

const HTTP_CATEGORIES: Record<string, { readonly perRound: number; readonly make: HttpCategory }> = {
  'random bytes sent as JSON': {
    perRound: 100,
    make: (rng, t) => post(t, rng.bytes(rng.int(0, 4_096)), [400]),
  },
  'JSON that is not a GraphQL request': {
    perRound: 100,
    make: (rng, t) =>
      post(
        t,
        JSON.stringify(
          rng.pick([
            () => rng.pick([rng.int(-1e6, 1e6), rng.text(10), true, null, [], [{ query: '{ __typename }' }], {}]),
            () => ({ [rng.text(rng.int(1, 10))]: rng.unicode(rng.int(1, 50)) }),
            () => ({ query: wrongJson(rng, 'string') }),
            () => ({ query: '' }),
            () => ({ query: '{ __typename }', variables: wrongJson(rng, 'object') }),
            () => ({ query: '{ __typename }', operationName: wrongJson(rng, 'string') }),
            () => ({ query: '{ __typename }', extensions: wrongJson(rng, 'object') }),
            () => ({ query: rng.unicode(rng.int(1, 300)) }),
            () => ({ query: 'query a { __typename } query b { __typename }', operationName: rng.pick([undefined, 'c', '']) }),
            () => ({ query: `{ ${rng.text(rng.int(1, 20), 'abcdefghij')} }` }),
          ])(),
        ),
        [400],
      ),
  },
  'wrong content types and encodings': {
    perRound: 80,
    make: (rng, t) => {
      const body = request('{ leads { totalCount } }');
      return rng.pick([
        () => post(t, body, [400], { contentType: rng.pick(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'text/plain; charset=utf-8']) }),
        () => post(t, body, [400], { contentType: null }),
        () => post(t, body, [400], { contentType: rng.pick(['application/xml', 'application/graphql', 'image/png', 'application/octet-stream', rng.text(10)]) }),
        () => post(t, body, [415], { contentType: `application/json; charset=${rng.pick(['klingon', 'latin1', 'us-ascii', rng.text(6)])}` }),
        // UTF-8 bytes read as UTF-16: the text decodes to CJK noise, not JSON.
        () => post(t, body, [400], { contentType: `application/json; charset=${rng.pick(['utf-16', 'utf-16le', 'utf-16be'])}` }),
        () => post(t, rng.bytes(rng.int(1, 512)), [400], { headers: { 'content-encoding': rng.pick(['gzip', 'deflate', 'br']) } }),
        () => post(t, body, [415], { headers: { 'content-encoding': rng.pick(['compress', 'zstd', rng.text(6, 'abcdefgh')]) } }),
      ])();
    },
  },
  'queries nested far past the depth limit': {
    perRound: 60,
    make: (rng, t) => post(t, request(deepQuery(rng, t.leadId)), [400]),
  },
  'queries wider than the token and cost limits': {
    perRound: 60,
    make: (rng, t) => post(t, request(wideQuery(rng)), [400]),
  },
  'alias bombs': {
    perRound: 60,
    make: (rng, t) => post(t, request(aliasBomb(rng, t.leadId)), [400]),
  },
  'directive floods': {
    perRound: 40,
    make: (rng, t) => post(t, request(directiveFlood(rng)), [400]),
  },
  'variables just under and over the body limit': {
    perRound: 20,
    make: (rng, t) =>
      rng.pick([
        () => {
          // Padded to land a few bytes under the limit: parsed, then refused by the id's own check.
          const shell = request('query ($v: ID!) { lead(id: $v) { id } }', { v: '' });
          return post(t, request('query ($v: ID!) { lead(id: $v) { id } }', { v: 'x'.repeat(MAX_BODY - shell.length - rng.int(1, 4_096)) }), [200]);
        },
        () => post(t, request('{ leads { totalCount } }', { unused: Array.from({ length: 10_000 }, () => rng.text(80)) }), [200]),
        () => {
          // One bad value among 50,000 (more than 50 bad values is a known gap, below).
          const stages = Array.from({ length: 50_000 }, () => 'NEW');
          stages[rng.int(0, stages.length - 1)] = rng.text(6);
          return post(t, request('query ($s: [LeadStage!]) { leads(filter: { stages: $s }) { totalCount } }', { s: stages }), [400]);
        },
        () => post(t, request('query ($v: ID!) { lead(id: $v) { id } }', { v: 'x'.repeat(MAX_BODY + rng.int(1, 200_000)) }), [413]),
      ])(),
  },
  'deeply nested JSON variables': {
    perRound: 40,
    make: (rng, t) => {
      const depth = rng.int(1_000, 100_000);
      const nested = rng.chance(0.5) ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}` : `${'['.repeat(depth)}${']'.repeat(depth)}`;
      const [query, name] = rng.pick([
        ['query ($v: LeadFilter) { leads(filter: $v) { totalCount } }', 'v'],
        ['query ($v: [LeadStage!]) { leads(filter: { stages: $v }) { totalCount } }', 'v'],
        ['query ($v: ID!) { lead(id: $v) { id } }', 'v'],
        ['query ($v: CreateLeadInput!) { __typename }', 'v'],
      ] as const);
      return post(t, `{"query":${JSON.stringify(query)},"variables":{"${name}":${nested}}}`, [400]);
    },
  },
  'garbage strings as ids and cursors': {
    perRound: 150,
    make: (rng, t) => {
      const target = rng.pick(STRING_ARGUMENTS);
      const value = garbageString(rng, target.nul);
      const token = target.other ? t.otherKey : t.adminKey;
      if (rng.chance(0.25) && !target.other) {
        // Inline, as a GraphQL string literal: lone surrogates are then a syntax error.
        const inline = target.query.replace(/^query \(\$v: \w+!?\) /, '').replaceAll('$v', JSON.stringify(value));
        return post(t, request(inline), [200, 400], { token });
      }
      return post(t, request(target.query, { v: value }), [200], { token });
    },
  },
  'numbers out of range': {
    perRound: 40,
    make: (rng, t) => {
      const value = rng.pick([rng.int(-2_147_483_648, 2_147_483_647), 2_147_483_648, -2_147_483_649, 1e20, 0.5, -0]);
      const inRange = Number.isInteger(value) && Math.abs(value) <= 2_147_483_647;
      const query = rng.pick([
        'query ($n: Int) { statusChanges(first: $n) { id } }',
        'query ($n: Int) { leads(first: $n) { totalCount } }',
        'query ($n: Int) { leads(first: 1) { edges { node { history(first: $n) { id } } } } }',
      ]);
      return post(t, request(query, { n: value }), inRange ? [200] : [400]);
    },
  },
  'GET requests with odd query strings': {
    perRound: 80,
    make: (rng, t) => {
      const preflight = { 'apollo-require-preflight': 'true' };
      const get = (query: string, expected: readonly number[], headers: Record<string, string> = preflight): HostileRequest => ({
        method: 'GET',
        url: `${t.url}?${query}`,
        headers: { authorization: `Bearer ${t.adminKey}`, ...headers },
        expected,
      });
      const typename = encodeURIComponent('{ __typename }');
      return rng.pick([
        () => get(`query=${percentEncoded(rng.bytes(rng.int(1, 200)))}`, [400]),
        () => get(`query=%${rng.text(1, '0123456789ABCDEF')}${rng.text(1, 'GHXZ%')}${rng.text(5)}`, [400]),
        () => get(rng.pick(['query[]=a&query[]=b', 'query[a]=b', 'query=', '', '&&&', '=x', 'query']), [400]),
        () => get(`query=${typename}&variables=${encodeURIComponent(`{${rng.text(rng.int(1, 50))}`)}`, [400]),
        () => get(`query=${typename}&extensions=${encodeURIComponent(rng.pick(['5', '"x"', `{${rng.text(8)}`]))}`, [400]),
        () => get(`query=${encodeURIComponent('mutation { revokeApiKey(id: "00000000-0000-4000-8000-000000000000") { id } }')}`, [405]),
        () => get(`query=${encodeURIComponent(rng.pick([deepQuery(rng, t.leadId), aliasBomb(rng, t.leadId), directiveFlood(rng)]))}`, [400, 431]),
        () => get(`query=${encodeURIComponent('{ leads { totalCount } }')}`, [400], {}),
        () => get(`query=${typename}&pad=${'x'.repeat(rng.int(17_000, 40_000))}`, [431]),
      ])();
    },
  },
  'other methods and paths': {
    perRound: 30,
    make: (rng, t) => {
      const body = request('{ leads { totalCount } }');
      return rng.pick([
        () => post(t, body, [405], { method: rng.pick(['PUT', 'PATCH', 'DELETE', 'OPTIONS']) }),
        (): HostileRequest => ({ method: 'HEAD', url: t.url, headers: { authorization: `Bearer ${t.adminKey}` }, expected: [400] }),
        // Below /graphql is no endpoint: not found, whatever the body.
        () => post(t, rng.bytes(rng.int(1, 256)), [404], { url: `${t.url}/${percentEncoded(rng.bytes(rng.int(1, 20)))}` }),
        () => post(t, body, [404], { url: new URL(`/${rng.pick(['graphiql', 'graphql%00', '%E0%A4%A', '.env', 'admin', '..%2F..%2Fetc%2Fpasswd'])}`, t.url).href }),
        () => post(t, body, [406], { headers: { accept: rng.pick(['text/html', 'multipart/mixed; deferSpec=20220824', ';;;,,=q=x', 'image/*']) } }),
      ])();
    },
  },
  'missing or garbage credentials': {
    perRound: 300,
    make: (rng, t) => {
      const authorization = badAuthorization(rng, t.adminKey);
      const body = rng.pick([() => request('{ leads { totalCount } }'), () => rng.bytes(rng.int(0, 2_048)), () => request(hostileDocument(rng, t.leadId))])();
      return {
        method: 'POST',
        url: t.url,
        headers: { 'content-type': rng.pick(['application/json', 'text/plain']), ...(authorization !== undefined && { authorization }) },
        body,
        expected: [401],
      };
    },
  },
  'oversized headers': {
    perRound: 10,
    make: (rng, t) =>
      rng.chance(0.5)
        ? post(t, request('{ leads { totalCount } }'), [431], { headers: { 'x-padding': rng.text(rng.int(17_000, 64_000)) } })
        : post(t, request('{ leads { totalCount } }'), [431], {
            headers: Object.fromEntries(Array.from({ length: rng.int(20, 60) }, (_, i) => [`x-pad-${i}`, rng.text(1_000)])),
          }),
  },
};

/** One hostile request, sent; a description of what was wrong with the answer, if anything was. */
async function sendHttp(hostile: HostileRequest): Promise<string | undefined> {
  let response: Response;
  try {
    response = await fetch(hostile.url, { method: hostile.method, headers: hostile.headers, body: hostile.body, redirect: 'manual' });
  } catch (error) {
    return `no HTTP answer: ${describeError(error)}`;
  }
  const text = await response.text();
  const problems: string[] = [];
  if (response.status >= 500) problems.push('a server error');
  else if (!hostile.expected.includes(response.status)) problems.push(`expected HTTP ${hostile.expected.join(' or ')}`);
  if (text !== '') {
    const contentType = response.headers.get('content-type') ?? '(none)';
    if (!/^application\/(graphql-response\+)?json\b/.test(contentType)) problems.push(`a ${contentType} body`);
    else problems.push(...graphQLBodyProblems(text));
  }
  return problems.length === 0 ? undefined : `HTTP ${response.status}: ${problems.join(', ')} — ${text.slice(0, 200)}`;
}

/** A JSON answer must be a GraphQL response, and never an internal error. */
function graphQLBodyProblems(text: string): string[] {
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    return ['a body that is not JSON'];
  }
  const problems: string[] = [];
  if (!Array.isArray(body?.errors) && !(typeof body === 'object' && body !== null && 'data' in body)) problems.push('neither errors nor data');
  if (Array.isArray(body?.errors) && body.errors.length === 0) problems.push('an empty errors list');
  if (Array.isArray(body?.errors) && body.errors.some((e: any) => e?.extensions?.code === 'INTERNAL_SERVER_ERROR')) {
    problems.push('INTERNAL_SERVER_ERROR');
  }
  return problems;
}

function describeError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return `${(error as Error).message}${cause ? ` (${cause.code ?? ''} ${cause.message ?? ''})` : ''}`;
}

// ---------------------------------------------------------------------------------------------
// Raw TCP: bytes that are not HTTP at all, or HTTP broken at the framing level

function rawGarbage(rng: Random, target: FloodTarget): Buffer {
  const auth = `Authorization: Bearer ${target.adminKey}\r\n`;
  return rng.pick([
    // A first byte no request line can start with, so the parser gives up at once.
    () => Buffer.concat([Buffer.from([rng.int(0, 0x1f)]), rng.bytes(rng.int(0, 2_048)), Buffer.from('\r\n\r\n')]),
    () => Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03, ...rng.bytes(32)]), // a TLS ClientHello
    () => Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'),
    () => Buffer.from(`${rng.pick(['FOO', 'G E T', 'GET', 'POST'])} /graphql HTTP/${rng.pick(['9.9', '1.x', '', '0.1'])}\r\nHost: x\r\n\r\n`),
    () => Buffer.from(`POST /graphql HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nContent-Length: ${rng.pick(['-1', 'abc', '1e3', '99999999999999999999'])}\r\n\r\n{}`),
    () => Buffer.from(`POST /graphql HTTP/1.1\r\nHost: x\r\n${auth}Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`),
    () => Buffer.from(`POST /graphql HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${rng.text(3, 'xyzXYZ')}\r\n{}\r\n0\r\n\r\n`),
    () => Buffer.from(`GET /graphql HTTP/1.1\r\nHost: x\r\n${rng.text(20)}\r\n\r\n`), // a header line without a colon
    () => Buffer.from(`GET /graphql HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: ${rng.pick(['websocket', 'h2c', rng.text(8)])}\r\nSec-WebSocket-Version: ${rng.pick(['13', '99', ''])}\r\n\r\n`),
  ])();
}

/** Writes the bytes, half-closes, and reads until the server closes: only a 4xx (or nothing) is fine. */
async function sendRaw(port: number, bytes: Buffer): Promise<string | undefined> {
  const socket = net.connect(port, '127.0.0.1');
  let received = '';
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('latin1');
  });
  socket.on('error', () => undefined); // a reset after the server's answer is its way of closing
  socket.on('connect', () => {
    socket.end(bytes);
  });
  await new Promise((resolve) => socket.once('close', resolve));
  return received === '' || /^HTTP\/1\.[01] 4\d\d /.test(received) ? undefined : `answered ${JSON.stringify(received.slice(0, 120))}`;
}

// ---------------------------------------------------------------------------------------------
// WebSocket: broken frames and protocol violations

/** Server messages in arrival order, and the close, as promises: no polling, no timers. */
class Inbox {
  private readonly messages: string[] = [];
  private wake: (() => void) | undefined;
  private ended = false;
  readonly opened: Promise<boolean>;
  readonly closed: Promise<{ code: number; reason: string }>;

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.messages.push((data as Buffer).toString('utf8'));
      this.wake?.();
    });
    socket.on('error', () => undefined); // the close that follows carries the code we check
    this.opened = new Promise((resolve) => {
      socket.once('open', () => resolve(true));
      socket.once('close', () => resolve(false));
    });
    this.closed = new Promise((resolve) => {
      socket.once('close', (code, reason) => {
        this.ended = true;
        resolve({ code, reason: reason.toString() });
        this.wake?.();
      });
    });
  }

  /** The next message, parsed; undefined once the socket has closed with nothing left to read. */
  async next(): Promise<any> {
    while (this.messages.length === 0 && !this.ended) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
    this.wake = undefined;
    const message = this.messages.shift();
    return message === undefined ? undefined : JSON.parse(message);
  }
}

interface SocketScript {
  /** Sends `connection_init` with the admin key and waits for the ack before `run`. */
  readonly authenticated: boolean;
  /** The subprotocol offered; null offers none. */
  readonly protocol?: string | null;
  /** Drives the socket; returns what went wrong, if anything did. */
  readonly run: (inbox: Inbox) => Promise<string | undefined>;
  /** The close code the server must end the connection with. */
  readonly closeCode: number;
}

/** Close codes of graphql-ws and of the WebSocket protocol that these scripts expect. */
const CLOSE = { badRequest: 4400, unauthorized: 4401, subprotocol: 4406, duplicateId: 4409, tooManyInits: 4429, tooBig: 1009 } as const;

const send = (inbox: Inbox, data: string | Buffer) => inbox.socket.send(data);
const message = (value: Record<string, unknown>) => JSON.stringify(value);
/** A text frame that is not JSON; graphql-ws answers it with 4400. */
const junk = (rng: Random) => `{${rng.text(rng.int(0, 40))}`;

/** Waits for one message that `accept` likes. */
async function expectMessage(inbox: Inbox, what: string, accept: (message: any) => boolean): Promise<string | undefined> {
  const received = await inbox.next();
  if (received === undefined) return `closed while waiting for ${what}`;
  return accept(received) ? undefined : `expected ${what}, got ${JSON.stringify(received).slice(0, 200)}`;
}

/** Sends one frame, which the server must answer by closing. */
const sendFrame =
  (frame: string | Buffer) =>
  (inbox: Inbox): Promise<undefined> => {
    send(inbox, frame);
    return Promise.resolve(undefined);
  };

type SocketCategory = (rng: Random, target: FloodTarget) => SocketScript;

const SOCKET_CATEGORIES: Record<string, SocketCategory> = {
  'junk text before connection_init': (rng) => ({ authenticated: false, run: sendFrame(junk(rng)), closeCode: CLOSE.badRequest }),
  'an unknown message type': (rng) => ({
    authenticated: rng.chance(0.5),
    run: sendFrame(message({ type: `x-${rng.text(rng.int(1, 20))}`, id: rng.text(4), payload: {} })),
    closeCode: CLOSE.badRequest,
  }),
  'a binary frame of random bytes': (rng) => ({ authenticated: rng.chance(0.5), run: sendFrame(rng.bytes(rng.int(0, 4_096))), closeCode: CLOSE.badRequest }),
  'JSON that is not a message object': (rng) => ({
    authenticated: rng.chance(0.5),
    run: sendFrame(rng.pick(['null', '[]', '42', '"connection_init"', 'true', '{}', '{"type":null}', '{"type":5}', ''])),
    closeCode: CLOSE.badRequest,
  }),
  'subscribe before connection_init': () => ({
    authenticated: false,
    run: sendFrame(message({ type: 'subscribe', id: '1', payload: { query: '{ leads { totalCount } }' } })),
    closeCode: CLOSE.unauthorized,
  }),
  'connection_init with a bad credential': (rng, t) => ({
    authenticated: false,
    run: sendFrame(message({ type: 'connection_init', payload: { [rng.pick(['authorization', 'Authorization'])]: badAuthorization(rng, t.adminKey) ?? rng.pick([5, {}, null, true]) } })),
    closeCode: CLOSE.unauthorized,
  }),
  'connection_init with a payload that is not an object': (rng) => ({
    authenticated: false,
    run: sendFrame(message({ type: 'connection_init', payload: rng.pick([rng.text(10), 5, true]) })),
    closeCode: CLOSE.badRequest,
  }),
  'connection_init with a deeply nested payload': (rng) => {
    const depth = rng.int(1_000, 100_000);
    return {
      authenticated: false,
      run: sendFrame(`{"type":"connection_init","payload":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`),
      closeCode: CLOSE.unauthorized,
    };
  },
  'deeply nested JSON arrays': (rng) => {
    const depth = rng.int(1_000, 200_000);
    return { authenticated: rng.chance(0.5), run: sendFrame(`${'['.repeat(depth)}${']'.repeat(depth)}`), closeCode: CLOSE.badRequest };
  },
  'a frame over the 1 MiB limit': (rng) => ({
    authenticated: rng.chance(0.5),
    run: sendFrame(rng.chance(0.5) ? 'x'.repeat(MAX_BODY + rng.int(1, 100_000)) : Buffer.alloc(MAX_BODY + rng.int(1, 100_000), 0x7b)),
    closeCode: CLOSE.tooBig,
  }),
  'no subprotocol offered': () => ({ authenticated: false, protocol: null, run: () => Promise.resolve(undefined), closeCode: CLOSE.subprotocol }),
  'a ping before connection_init': (rng) => ({
    authenticated: false,
    run: async (inbox) => {
      send(inbox, message({ type: 'ping' }));
      const problem = await expectMessage(inbox, 'a pong', (m) => m.type === 'pong');
      send(inbox, junk(rng));
      return problem;
    },
    closeCode: CLOSE.badRequest,
  }),
  'a second connection_init': (_rng, t) => ({
    authenticated: true,
    run: sendFrame(message({ type: 'connection_init', payload: { authorization: `Bearer ${t.adminKey}` } })),
    closeCode: CLOSE.tooManyInits,
  }),
  'subscribe with a bad id': (rng) => ({
    authenticated: true,
    run: sendFrame(message({ type: 'subscribe', ...rng.pick([{ id: '' }, { id: 5 }, { id: null }, { id: {} }, {}]), payload: { query: '{ __typename }' } })),
    closeCode: CLOSE.badRequest,
  }),
  'subscribe with a malformed payload': (rng) => ({
    authenticated: true,
    run: sendFrame(
      message({
        type: 'subscribe',
        id: rng.text(6),
        ...rng.pick([
          {},
          { payload: rng.text(5) },
          { payload: { query: 5 } },
          { payload: { query: '{ __typename }', variables: rng.pick([rng.text(5), 5, true]) } },
          { payload: { query: '{ __typename }', operationName: rng.pick([5, {}, true]) } },
          { payload: { query: '{ __typename }', extensions: rng.pick([rng.text(5), 5]) } },
        ]),
      }),
    ),
    closeCode: CLOSE.badRequest,
  }),
  'a ping with a payload that is not an object': (rng) => ({
    authenticated: true,
    run: sendFrame(message({ type: rng.pick(['ping', 'pong']), payload: rng.pick([5, rng.text(5), true]) })),
    closeCode: CLOSE.badRequest,
  }),
  'the same subscription id three times': (rng) => ({
    authenticated: true,
    run: (inbox) => {
      // Sent back to back: the first operation is still open when the second arrives.
      const frame = message({ type: 'subscribe', id: rng.text(6), payload: { query: '{ leads { totalCount } }' } });
      for (let i = 0; i < 3; i++) send(inbox, frame);
      return Promise.resolve(undefined);
    },
    closeCode: CLOSE.duplicateId,
  }),
  'a hostile document': (rng, t) => ({
    authenticated: true,
    run: async (inbox) => {
      const id = rng.text(8);
      send(inbox, message({ type: 'subscribe', id, payload: { query: hostileDocument(rng, t.leadId) } }));
      const problem = await expectMessage(
        inbox,
        'an error message refusing the document',
        (m) => m.type === 'error' && m.id === id && m.payload.every((e: any) => ['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'OPERATION_RESOLUTION_FAILURE'].includes(e.extensions?.code)),
      );
      send(inbox, junk(rng));
      return problem;
    },
    closeCode: CLOSE.badRequest,
  }),
  'garbage strings as ids': (rng) => ({
    authenticated: true,
    run: async (inbox) => {
      const id = rng.text(8);
      // Mutations are left to HTTP: this socket belongs to the tenant the normal traffic reads.
      const target = rng.pick(STRING_ARGUMENTS.filter((a) => !a.other));
      send(inbox, message({ type: 'subscribe', id, payload: { query: target.query, variables: { v: garbageString(rng, target.nul) } } }));
      const problem =
        (await expectMessage(
          inbox,
          'a result without internal errors',
          (m) => m.type === 'next' && m.id === id && !(m.payload.errors ?? []).some((e: any) => e.extensions?.code === 'INTERNAL_SERVER_ERROR'),
        )) ?? (await expectMessage(inbox, 'complete', (m) => m.type === 'complete' && m.id === id));
      send(inbox, junk(rng));
      return problem;
    },
    closeCode: CLOSE.badRequest,
  }),
  'complete for an unknown id and an unsolicited pong': (rng) => ({
    authenticated: true,
    run: async (inbox) => {
      // Both are allowed by the protocol: the connection stays usable.
      send(inbox, message({ type: 'complete', id: rng.text(8) }));
      send(inbox, message({ type: 'pong' }));
      send(inbox, message({ type: 'ping', payload: { n: rng.int(0, 1e6) } }));
      const problem = await expectMessage(inbox, 'a pong', (m) => m.type === 'pong');
      send(inbox, junk(rng));
      return problem;
    },
    closeCode: CLOSE.badRequest,
  }),
  'more operations at once than a connection allows': (rng) => ({
    authenticated: true,
    run: async (inbox) => {
      const ids = new Set(Array.from({ length: 60 }, (_, i) => `${i}-${rng.text(4)}`));
      for (const id of ids) send(inbox, message({ type: 'subscribe', id, payload: { query: '{ leads { totalCount } }' } }));
      // Each operation ends, by `complete` or by an `error` (RATE_LIMITED beyond the per-connection cap).
      while (ids.size > 0) {
        const received = await inbox.next();
        if (received === undefined) return `closed with ${ids.size} operations unanswered`;
        if (received.type === 'complete' || received.type === 'error') ids.delete(received.id);
        if (received.type === 'error' && received.payload[0]?.extensions?.code !== 'RATE_LIMITED') return `unexpected error ${JSON.stringify(received)}`;
      }
      send(inbox, junk(rng));
      return undefined;
    },
    closeCode: CLOSE.badRequest,
  }),
};

/** Opens a socket, runs the script, and waits for the server to close it. */
async function runSocket(wsUrl: string, adminKey: string, script: SocketScript): Promise<string | undefined> {
  const protocol = script.protocol === undefined ? 'graphql-transport-ws' : script.protocol;
  const inbox = new Inbox(protocol === null ? new WebSocket(wsUrl) : new WebSocket(wsUrl, protocol));
  if (!(await inbox.opened)) return `refused the upgrade (close ${(await inbox.closed).code})`;
  let problem: string | undefined;
  if (script.authenticated) {
    send(inbox, message({ type: 'connection_init', payload: { authorization: `Bearer ${adminKey}` } }));
    problem = await expectMessage(inbox, 'connection_ack', (m) => m.type === 'connection_ack');
  }
  problem ??= await script.run(inbox);
  const { code, reason } = await inbox.closed;
  if (code !== script.closeCode) problem = `${problem ? `${problem}; ` : ''}closed with ${code} "${reason}", expected ${script.closeCode}`;
  return problem;
}

// ---------------------------------------------------------------------------------------------
// Plumbing

/** Runs `work` over `items` with at most `width` in flight. */
async function inParallel<T>(items: Iterable<T>, width: number, work: (item: T) => Promise<void>): Promise<void> {
  const iterator = items[Symbol.iterator]();
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let next = iterator.next(); next.done !== true; next = iterator.next()) await work(next.value);
    }),
  );
}

/**
 * V8's collector, so that heap figures count live objects only, not garbage waiting for
 * a collection. Node hides `gc` unless started with --expose-gc; the flag can still be
 * set at run time, and a fresh context then sees the function.
 */
function exposeGc(): (() => void) | undefined {
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc: unknown = vm.runInNewContext('gc');
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}

function runOverWebSocket(client: Client, query: string, variables?: Record<string, unknown>): Promise<ExecutionResult> {
  return new Promise((resolve, reject) => {
    let result: ExecutionResult | undefined;
    client.subscribe(
      { query, ...(variables && { variables }) },
      {
        next: (value) => {
          result = value as ExecutionResult;
        },
        error: (error: unknown) =>
          reject(new Error(Array.isArray(error) ? `operation errors: ${JSON.stringify(error)}` : `the socket closed (${(error as { code?: number }).code})`)),
        complete: () => (result === undefined ? reject(new Error('completed without a result')) : resolve(result)),
      },
    );
  });
}

const PAGE = `{ leads(first: 5) { totalCount edges { node { id stage advertiserRef } } } }`;
const ONE = `query ($id: ID!) { lead(id: $id) { id stage application { id status } } }`;

// ---------------------------------------------------------------------------------------------

describe(`the gateway under a flood of malformed and hostile requests (seed ${SEED})`, () => {
  let gateway: TestGateway;
  let target: FloodTarget;
  /** What the normal queries answer before any hostile request: they must answer the same throughout. */
  let expected: { page: unknown; one: unknown };
  /** The gateway's error-level log lines: an internal error anywhere shows up here. */
  const serverErrors: string[] = [];
  /** heapUsed after collection: after the warm-up, then after each measured round. */
  const heap: number[] = [];
  let gc: (() => void) | undefined;

  beforeAll(async () => {
    gc = exposeGc();
    const logger = createLogger('error', {
      write(line: string) {
        const entry = JSON.parse(line) as { msg?: string; err?: { message?: string } };
        serverErrors.push(`${entry.msg}: ${entry.err?.message ?? ''}`.slice(0, 300));
      },
    });
    gateway = await startTestGateway({ logger });
    const { leadId } = await seedLead(gateway.db, { application: { status: null } });
    target = { url: gateway.url, adminKey: gateway.api.token!, otherKey: gateway.other.token!, leadId };
    expected = {
      page: await queryData(gateway.api, PAGE),
      one: await queryData(gateway.api, ONE, { id: leadId }),
    };
    expect(expected.page).toMatchObject({ leads: { totalCount: 1, edges: [{ node: { id: leadId } }] } });
  });
  afterAll(() => gateway.stop());

  /** Normal queries, one pair after another, until `flood.running` turns false; each must succeed with the same data. */
  async function normalTraffic(flood: { running: boolean }): Promise<{ served: number; failures: string[] }> {
    const failures: string[] = [];
    let served = 0;
    do {
      const [page, one] = await Promise.all([
        postGraphQL(gateway.api, PAGE).catch((error: unknown) => ({ status: 0, error: describeError(error) })),
        postGraphQL(gateway.api, ONE, { id: target.leadId }).catch((error: unknown) => ({ status: 0, error: describeError(error) })),
      ]);
      for (const [answer, want] of [
        [page, expected.page],
        [one, expected.one],
      ] as const) {
        if (answer.status !== 200 || !('data' in answer) || answer.errors !== undefined || !isDeepStrictEqual(answer.data, want)) {
          failures.push(JSON.stringify(answer).slice(0, 300));
        }
      }
      served += 2;
    } while (flood.running);
    return { served, failures };
  }

  /** One round of every HTTP and raw TCP category, `scale` times its per-round count. */
  async function floodRound(round: number, scale: number, counts: Map<string, number>, problems: string[]): Promise<void> {
    const port = Number(new URL(gateway.url).port);
    type Job = { category: string; index: number; send: () => Promise<string | undefined> };
    function* jobs(): Generator<Job> {
      // Interleaved, so every category runs alongside every other rather than in blocks.
      const queues = Object.entries(HTTP_CATEGORIES).map(([category, { perRound, make }], c) => ({
        category,
        count: Math.ceil(perRound * scale),
        make: (index: number) => () => sendHttp(make(new Random(SEED, round, c, index), target)),
      }));
      queues.push({
        category: 'raw TCP garbage',
        count: Math.ceil(30 * scale),
        make: (index: number) => () => sendRaw(port, rawGarbage(new Random(SEED, round, 999, index), target)),
      });
      for (let index = 0; queues.some((q) => index < q.count); index++) {
        for (const queue of queues) if (index < queue.count) yield { category: queue.category, index, send: queue.make(index) };
      }
    }
    await inParallel(jobs(), 32, async (job) => {
      counts.set(job.category, (counts.get(job.category) ?? 0) + 1);
      const problem = await job.send();
      if (problem !== undefined) problems.push(`${job.category} (round ${round}, #${job.index}): ${problem}`);
    });
  }

  const collectedHeap = () => {
    gc?.();
    gc?.();
    return process.memoryUsage().heapUsed;
  };

  it('answers about 3,900 hostile HTTP and TCP requests with 4xx JSON errors, never a 5xx, while normal queries keep being served', async () => {
    const counts = new Map<string, number>();
    const problems: string[] = [];
    const normal = { served: 0, failures: [] as string[] };
    const errorsBefore = serverErrors.length;

    // Round 0 warms up the JIT, connection pools and caches, so later rounds measure steady state.
    for (const [round, scale] of [
      [0, 0.25],
      [1, 1],
      [2, 1],
      [3, 1],
    ] as const) {
      const flood = { running: true };
      const [, traffic] = await Promise.all([
        floodRound(round, scale, counts, problems).finally(() => {
          flood.running = false;
        }),
        normalTraffic(flood),
      ]);
      normal.served += traffic.served;
      normal.failures.push(...traffic.failures);
      heap.push(collectedHeap());
    }

    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    console.log(`robustness: ${total} hostile requests (seed ${SEED}):\n${[...counts].map(([c, n]) => `  ${n}\t${c}`).join('\n')}`);
    console.log(`robustness: ${normal.served} normal queries served during the flood`);
    expect(total).toBeGreaterThan(3_000);
    expect(problems, `${problems.length} of ${total} hostile requests were answered wrongly (seed ${SEED})`).toEqual([]);
    expect(normal.failures, `normal queries failed during the flood (seed ${SEED})`).toEqual([]);
    expect(normal.served).toBeGreaterThanOrEqual(8); // at least a pair per round
    expect(serverErrors.slice(errorsBefore), 'error-level log lines written by the gateway').toEqual([]);
  }, 240_000);

  it('keeps its heap bounded across the rounds of the flood, measured after a full collection', () => {
    expect(heap, 'the flood ran all four rounds').toHaveLength(4);
    const [warm, afterFirst, afterSecond, afterThird] = heap.map((bytes) => bytes / 2 ** 20) as [number, number, number, number];
    console.log(
      `robustness: heap after collection (MiB): warm-up ${warm.toFixed(1)}, rounds ${afterFirst.toFixed(1)}, ${afterSecond.toFixed(1)}, ${afterThird.toFixed(1)}` +
        (gc ? '' : ' (no gc available: figures include uncollected garbage)'),
    );
    // Steady state grows by about 1 MiB a round (Apollo's document cache taking the flood's
    // valid inline-literal queries). Apollo's two LRU caches (parsed documents, persisted
    // queries) may legitimately fill to about 30 MiB each, hence the loose overall bound. A leak
    // of 8 KiB per request adds about 9 MiB a round, which the last-round bound catches
    // (checked by planting one). Without a forced collection the figures hold garbage too.
    const slack = gc ? 1 : 3;
    expect(afterThird - warm, 'growth over three rounds, MiB').toBeLessThan(64 * slack);
    expect(afterThird - afterSecond, 'growth in the last round, MiB').toBeLessThan(8 * slack);
  });

  it('closes 300 sockets that send broken frames or break the protocol, each with the code for its fault, while a well-behaved graphql-ws client keeps being served', async () => {
    const wsUrl = gateway.url.replace(/^http/, 'ws');
    const names = Object.keys(SOCKET_CATEGORIES);
    const counts = new Map<string, number>();
    const problems: string[] = [];
    const errorsBefore = serverErrors.length;
    // Nothing may be printed around the gateway's log: an oversized frame (closed with 1009)
    // is logged at debug level, never with console.error.
    const printed: string[] = [];
    const consoleError = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
      printed.push(args.map((arg) => (arg instanceof Error ? `${arg.name}: ${arg.message}` : String(arg))).join(' '));
    });

    const client = createClient({
      url: wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${target.adminKey}` },
      retryAttempts: 0,
    });
    const flood = { running: true };
    const wellBehaved = { served: 0, failures: [] as string[] };
    try {
      const sockets = Array.from({ length: 300 }, (_, index) => index);
      await Promise.all([
        inParallel(sockets, 16, async (index) => {
          const rng = new Random(SEED, 7, index);
          const name = rng.pick(names);
          counts.set(name, (counts.get(name) ?? 0) + 1);
          const problem = await runSocket(wsUrl, target.adminKey, SOCKET_CATEGORIES[name]!(rng, target));
          if (problem !== undefined) problems.push(`${name} (#${index}): ${problem}`);
        }).finally(() => {
          flood.running = false;
        }),
        (async () => {
          do {
            try {
              const result = await runOverWebSocket(client, ONE, { id: target.leadId });
              if (result.errors !== undefined || !isDeepStrictEqual(result.data, expected.one)) wellBehaved.failures.push(JSON.stringify(result));
            } catch (error) {
              wellBehaved.failures.push((error as Error).message);
            }
            wellBehaved.served++;
          } while (flood.running);
        })(),
      ]);
      // The same long-lived connection, after the flood.
      expect((await runOverWebSocket(client, PAGE)).data).toEqual(expected.page);
    } finally {
      await client.dispose();
      consoleError.mockRestore();
    }

    console.log(`robustness: ${[...counts.values()].reduce((a, b) => a + b, 0)} hostile sockets (seed ${SEED}):\n${[...counts].map(([c, n]) => `  ${n}\t${c}`).join('\n')}`);
    console.log(`robustness: ${wellBehaved.served} operations of a well-behaved client served during the socket flood`);
    expect(problems, `${problems.length} sockets were handled wrongly (seed ${SEED})`).toEqual([]);
    expect(wellBehaved.failures).toEqual([]);
    expect(wellBehaved.served).toBeGreaterThan(0);
    expect(printed).toEqual([]);
    expect(serverErrors.slice(errorsBefore), 'error-level log lines written by the gateway').toEqual([]);
  }, 120_000);

  it('is alive and serving afterwards: /healthz, /readyz, a query over HTTP and one over a new WebSocket', async () => {
    const health = await fetch(new URL('/healthz', gateway.url));
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(new URL('/readyz', gateway.url));
    expect(ready.status).toBe(200);
    expect(await queryData(gateway.api, PAGE)).toEqual(expected.page);
    expect(await queryData(gateway.api, ONE, { id: target.leadId })).toEqual(expected.one);
    expect(await executeOverWebSocket(gateway.url, target.adminKey, PAGE)).toEqual({ kind: 'result', result: { data: expected.page } });
  });
});

/*
 * Hostile inputs the first runs of the flood found answered as internal errors. Each is
 * fixed in the gateway; these tests hold the fixes, one by one.
 */
describe('gaps the flood found, each now answered as the caller\'s error', () => {
  let gateway: TestGateway;
  const serverErrors: string[] = [];

  beforeAll(async () => {
    const logger = createLogger('error', {
      write(line: string) {
        serverErrors.push((JSON.parse(line) as { msg?: string }).msg ?? line);
      },
    });
    gateway = await startTestGateway({ logger });
  });
  afterAll(() => gateway.stop());

  it('answers U+0000 in loan ids, an advertiser reference, a customer id or a key label with BAD_USER_INPUT, not an internal error', async () => {
    // Today: HTTP 200 with INTERNAL_SERVER_ERROR, and an error log line: PostgreSQL refuses
    // NUL in text ("invalid byte sequence for encoding UTF8: 0x00") and nothing checks first.
    const cases = [
      [gateway.api, 'query ($v: ID!) { loan(loanId: $v, customerId: "customer_1") { loanId } }'],
      [gateway.api, 'query ($v: ID!) { loan(loanId: "loan_1", customerId: $v) { loanId } }'],
      [gateway.other, 'mutation ($v: String) { createLead(input: { advertiserRef: $v }) { id } }'],
      [gateway.other, 'mutation ($v: ID) { createLead(input: { decisionCloudCustomerId: $v }) { id } }'],
      [gateway.other, 'mutation ($v: String) { createApiKey(input: { role: VIEWER, label: $v }) { key } }'],
    ] as const;
    const codes = [];
    for (const [who, query] of cases) codes.push((await postGraphQL(who, query, { v: 'a\u0000b' })).errors?.[0]?.extensions?.code);
    expect(codes).toEqual(cases.map(() => 'BAD_USER_INPUT'));
    expect(serverErrors).toEqual([]);
  });

  it('answers a stage filter of 70,000 repeated stages like the filter of that one stage', async () => {
    // Found by the flood: `lead.stage IN (:...stages)` made one bind parameter per element, past
    // PostgreSQL's 65,535. Repeats mean nothing, so the stages are deduplicated first.
    const query = 'query ($s: [LeadStage!]) { leads(filter: { stages: $s }) { totalCount } }';
    const repeated = await postGraphQL(gateway.api, query, { s: Array.from({ length: 70_000 }, () => 'NEW') });
    const once = await postGraphQL(gateway.api, query, { s: ['NEW'] });
    expect(repeated.errors).toBeUndefined();
    expect(repeated.data).toEqual(once.data);
    expect(serverErrors).toEqual([]);
  });

  it('answers more than 50 invalid variable values with BAD_USER_INPUT only', async () => {
    // Today: HTTP 400 with 50 BAD_USER_INPUT errors and a 51st, INTERNAL_SERVER_ERROR: graphql-js
    // stops at 50 with "Too many errors processing variables…", an error without a code, which
    // the formatter masks and logs as unexpected.
    const response = await postGraphQL(gateway.api, 'query ($s: [LeadStage!]) { leads(filter: { stages: $s }) { totalCount } }', {
      s: Array.from({ length: 51 }, () => 'NOT_A_STAGE'),
    });
    expect(response.status).toBe(400);
    expect(new Set(response.errors?.map((e) => e.extensions?.code))).toEqual(new Set(['BAD_USER_INPUT']));
    expect(serverErrors).toEqual([]);
  });

  it('answers malformed persisted-query extensions with a request error code, not INTERNAL_SERVER_ERROR', async () => {
    // Today: HTTP 400 with {"message":"Internal server error","extensions":{"code":"INTERNAL_SERVER_ERROR"}}
    // and an error log line per request. Apollo's own errors for these ("provided sha does not
    // match query", "Unsupported persisted query version") carry no code, so the formatter masks them.
    const bodies = [
      { query: '{ __typename }', extensions: { persistedQuery: { version: 1, sha256Hash: 'abc' } } },
      { extensions: { persistedQuery: { version: 2, sha256Hash: 'abc' } } },
      { extensions: { persistedQuery: 'x' } },
    ];
    const answers = [];
    for (const body of bodies) {
      const response = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${gateway.api.token}` },
        body: JSON.stringify(body),
      });
      answers.push({ status: response.status, code: ((await response.json()) as any).errors?.[0]?.extensions?.code });
    }
    // Automatic persisted queries are off: every such request is told so, with Apollo's code.
    expect(answers).toEqual(bodies.map(() => ({ status: 200, code: 'PERSISTED_QUERY_NOT_SUPPORTED' })));
    expect(serverErrors).toEqual([]);
  });

  it('answers an uncoercible variable over WebSocket with BAD_USER_INPUT, as HTTP does', async () => {
    // Today: over graphql-ws the coercion error reaches onNext without Apollo's code, so the
    // shared formatter turns it into INTERNAL_SERVER_ERROR and logs it.
    const query = 'query ($v: ID!) { lead(id: $v) { id } }';
    const overHttp = await postGraphQL(gateway.api, query, { v: { not: 'an id' } });
    expect(overHttp.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const missing = await executeOverWebSocket(gateway.url, gateway.api.token, query);
    const wrongType = await executeOverWebSocket(gateway.url, gateway.api.token, query, { v: { not: 'an id' } });
    // Over graphql-ws an error before execution is an `error` message, as for validation errors.
    for (const outcome of [missing, wrongType]) {
      expect(outcome).toMatchObject({ kind: 'errors', errors: [{ extensions: { code: 'BAD_USER_INPUT' } }] });
    }
    expect(serverErrors).toEqual([]);
  });

  it('closes a socket that sends a server-only message (next, error, connection_ack) with 4400, not 4500', async () => {
    // Today: graphql-ws parses these as valid messages, then throws "Unexpected message of type
    // next received", prints the stack with console.error and closes with 4500 Internal Server Error.
    const printed: string[] = [];
    const consoleError = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
      printed.push(args.map(String).join(' '));
    });
    const problems: string[] = [];
    try {
      for (const frame of [
        JSON.stringify({ type: 'next', id: '1', payload: { data: {} } }),
        JSON.stringify({ type: 'error', id: '1', payload: [{ message: 'x' }] }),
        JSON.stringify({ type: 'connection_ack' }),
        // The same types spelt with JSON escapes and spaces, which JSON.parse reads as the plain ones.
        String.raw`{"\u0074ype":"next","id":"1","payload":{"data":{}}}`,
        String.raw`{ "type" : "\u0065rror", "id" : "1", "payload" : [ { "message" : "x" } ] }`,
        // A message encoded twice is a JSON string, no message: refused as such, never parsed again.
        JSON.stringify(JSON.stringify({ type: 'next', id: '1', payload: { data: {} } })),
      ]) {
        const problem = await runSocket(gateway.url.replace(/^http/, 'ws'), gateway.api.token!, {
          authenticated: true,
          run: sendFrame(frame),
          closeCode: CLOSE.badRequest,
        });
        if (problem !== undefined) problems.push(`${frame}: ${problem}`);
      }
    } finally {
      consoleError.mockRestore();
    }
    expect(problems).toEqual([]);
    expect(printed).toEqual([]);
  });
});
