/**
 * Where a V8 CPU profile's time went, by package or file and by function (self time):
 *
 *   npx tsx bench/lib/cpu-profile-summary.ts <file.cpuprofile> [function]
 *
 * With a function name, only the samples from the first one taken under that
 * function on are counted (a gateway's start-up is left out: `replayThenJoin` for the
 * replay, for instance). Idle time is reported apart, never in the percentages.
 */
import fs from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const [file, marker] = process.argv.slice(2);
if (file === undefined) {
  console.error('usage: cpu-profile-summary.ts <file.cpuprofile> [function]');
  process.exit(2);
}
const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const parents = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);

const isUnder = (id: number, name: string): boolean => {
  for (let at: number | undefined = id; at !== undefined; at = parents.get(at)) if (nodes.get(at)?.callFrame.functionName === name) return true;
  return false;
};
const first = marker === undefined ? 0 : profile.samples.findIndex((id) => isUnder(id, marker));
if (first < 0) {
  console.error(`no sample under a function named ${marker}`);
  process.exit(1);
}

const shortUrl = (url: string) => url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(src|bench|test)\//, '$1/');
const packageOf = (url: string) => /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? shortUrl(url);
const byFunction = new Map<string, number>();
const byPackage = new Map<string, number>();
let busy = 0;
let idle = 0;
for (let i = first; i < profile.samples.length; i++) {
  // A sample's delta is the time until the next one.
  const micros = profile.timeDeltas[i + 1] ?? 0;
  const frame = nodes.get(profile.samples[i]!)!.callFrame;
  if (frame.functionName === '(idle)') {
    idle += micros;
    continue;
  }
  busy += micros;
  const where = frame.url === '' ? frame.functionName : packageOf(frame.url);
  byPackage.set(where, (byPackage.get(where) ?? 0) + micros);
  const name = `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
}

const top = (totals: Map<string, number>, count: number) =>
  [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, micros]) => `${((100 * micros) / busy).toFixed(1).padStart(5)} %  ${(micros / 1000).toFixed(0).padStart(6)} ms  ${name}`)
    .join('\n');
console.log(`busy ${(busy / 1000).toFixed(0)} ms, idle ${(idle / 1000).toFixed(0)} ms${marker === undefined ? '' : ` (from the first sample under ${marker})`}`);
console.log(`\nby package or file\n${top(byPackage, 20)}\n\nby function (self time)\n${top(byFunction, 30)}`);
