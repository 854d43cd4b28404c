import { getMetricsFromIterator, type PromHistogramData, type PromMetric, type PromData } from 'prom2javascript';

/** What `/metrics` answered. */
export interface MetricsResponse {
  readonly status: number;
  readonly contentType: string | null;
  readonly body: string;
}

/** GETs `/metrics` of the gateway whose GraphQL URL is `graphqlUrl`, with a credential or none. */
export async function getMetrics(graphqlUrl: string, token?: string): Promise<MetricsResponse> {
  const response = await fetch(new URL('/metrics', graphqlUrl), {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
  return { status: response.status, contentType: response.headers.get('content-type'), body: await response.text() };
}

/** A parsed scrape, with look-ups by metric name and exact label set. */
export interface Scrape {
  /** Each family by name: its type (`counter`, `gauge`, `histogram`, …), HELP and samples. */
  readonly families: ReadonlyMap<string, PromMetric>;
  /** A counter's or gauge's value for exactly these labels; undefined when the series is absent. */
  value(name: string, labels?: Readonly<Record<string, string>>): number | undefined;
  /** A histogram's observation count for exactly these labels; undefined when the series is absent. */
  count(name: string, labels?: Readonly<Record<string, string>>): number | undefined;
  /** Every series of a family, by its labels. */
  series(name: string): ReadonlyArray<Readonly<Record<string, string>>>;
}

/** Scrapes as an admin and parses strictly; fails unless the answer is 200 in the text format. */
export async function scrape(graphqlUrl: string, adminToken: string): Promise<Scrape> {
  const response = await getMetrics(graphqlUrl, adminToken);
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}: ${response.body.slice(0, 300)}`);
  return parseStrictly(response.body);
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const NOT_A_NUMBER_SAMPLE = /^[a-zA-Z_:][a-zA-Z0-9_:]*(?:\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (?:nan|-inf)$/i;

/**
 * Parses the Prometheus text format with `prom2javascript`, which throws on a sample
 * line it cannot read and on a histogram whose `+Inf` bucket is not its count, then
 * checks what it lets through: every family has HELP and a TYPE (a sample of no
 * declared family shows up as a family without one), names and label names are
 * valid, counters end in `_total`, and histogram buckets are cumulative.
 */
export async function parseStrictly(text: string): Promise<Scrape> {
  const problems: string[] = [];
  // The library reads no NaN or -Inf, which are valid (Prometheus reads values as Go's
  // ParseFloat does; prom-client writes an empty event-loop histogram's mean as "Nan").
  // Such lines are checked against the sample grammar here, and left out of its input.
  const lines = text.split('\n').filter((line) => {
    if (line.startsWith('#') || !/\s(?:nan|-inf)$/i.test(line)) return true;
    if (!NOT_A_NUMBER_SAMPLE.test(line)) problems.push(`not a valid sample line: ${line}`);
    return false;
  });
  const parsed = await getMetricsFromIterator(lines[Symbol.iterator]());
  const families = new Map(Object.entries(parsed));
  for (const [name, family] of families) {
    if (!METRIC_NAME.test(name)) problems.push(`${name}: not a valid metric name`);
    if (!family.help) problems.push(`${name}: no HELP`);
    if (!['counter', 'gauge', 'histogram', 'summary'].includes(family.type)) problems.push(`${name}: no TYPE (${family.type})`);
    if (family.type === 'counter' && !name.endsWith('_total')) problems.push(`${name}: a counter whose name does not end in _total`);
    for (const sample of family.data) {
      for (const label of Object.keys(sample.labels)) {
        if (!LABEL_NAME.test(label) || label.startsWith('__')) problems.push(`${name}: label name "${label}" is not valid`);
      }
      if (family.type === 'histogram') {
        const ordered = Object.entries((sample as PromHistogramData).buckets)
          .map(([le, n]) => [le === '+Inf' ? Infinity : Number(le), n] as const)
          .sort((a, b) => a[0] - b[0]);
        if (ordered.some(([le]) => Number.isNaN(le))) problems.push(`${name}: a bucket bound is not a number`);
        for (let i = 1; i < ordered.length; i++) {
          if (ordered[i]![1] < ordered[i - 1]![1]) problems.push(`${name}: buckets are not cumulative`);
        }
      }
    }
  }
  if (problems.length > 0) throw new Error(`/metrics is not valid Prometheus text:\n${problems.join('\n')}`);

  const find = (name: string, labels: Readonly<Record<string, string>>) =>
    (families.get(name)?.data as Array<PromData | PromHistogramData> | undefined)?.find((sample) => sameLabels(sample.labels, labels));
  return {
    families,
    value(name, labels = {}) {
      const sample = find(name, labels);
      return sample !== undefined && 'value' in sample ? sample.value : undefined;
    },
    count(name, labels = {}) {
      const sample = find(name, labels);
      return sample !== undefined && 'count' in sample ? sample.count : undefined;
    },
    series(name) {
      return (families.get(name)?.data ?? []).map((sample) => sample.labels);
    },
  };
}

function sameLabels(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}
