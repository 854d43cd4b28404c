import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter, once } from 'node:events';

/** A gateway process started the way a user starts it. */
export interface GatewayProcess {
  readonly child: ChildProcess;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the GraphQL URL from the start banner; rejects if the process exits first. */
  readonly ready: Promise<string>;
  /** Resolves with the exit code when the process ends. */
  readonly exited: Promise<number | null>;
  /**
   * Resolves with the first output line from character `from` on that matches `pattern`,
   * now or when it is written; rejects if the process exits first.
   */
  untilOutput(pattern: RegExp, from?: number): Promise<string>;
}

const REPO = new URL('../..', import.meta.url).pathname;
const running = new Set<ChildProcess>();

/** Kills every gateway a test started and did not stop (a failed assertion must not leak processes). */
export async function killLeftoverGateways(): Promise<void> {
  await Promise.all(
    [...running].map(async (child) => {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }),
  );
}
const BANNER = /leadgraph is ready: GraphQL at (http:\/\/\S+)/;

/**
 * Runs `command args…` in the repository (or `cwd`, another checkout) with `env` on
 * top of a clean environment (no DATABASE_URL).
 */
export function runGateway(command: string, args: string[], env: Record<string, string>, cwd: string = REPO): GatewayProcess {
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  const child = spawn(command, args, { cwd, env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const written = new EventEmitter();
  running.add(child);
  const exited = once(child, 'exit').then(([code]) => {
    running.delete(child);
    return code as number | null;
  });
  const ready = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      written.emit('data');
      const match = BANNER.exec(output);
      if (match?.[1]) resolve(match[1]);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => reject(new Error(`exited with ${code} before it was ready:\n${output}`)));
  });
  ready.catch(() => undefined); // a test that expects an early exit never awaits `ready`

  const untilOutput = (pattern: RegExp, from = 0) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const line = output.slice(from).split('\n').find((candidate) => pattern.test(candidate));
        if (line === undefined) return false;
        written.off('data', check);
        resolve(line);
        return true;
      };
      if (check()) return;
      written.on('data', check);
      void exited.then((code) => {
        written.off('data', check);
        reject(new Error(`exited with ${code} before writing ${pattern}:\n${output}`));
      });
    });
  return { child, output: () => output, ready, exited, untilOutput };
}
