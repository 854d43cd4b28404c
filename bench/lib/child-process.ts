import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';

/** A process a benchmark started: a gateway, the floor, the peer, sandboxes, clients. */
export interface BenchProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** The first match of the ready pattern in its output. */
  readonly ready: Promise<RegExpExecArray>;
  /** Everything it printed so far (for errors). */
  output(): string;
  /** Resident memory now, in bytes (from /proc). */
  residentBytes(): number;
  /** SIGTERM, then SIGKILL after 10 s; resolves when it has exited. */
  stop(): Promise<void>;
}

const REPO = new URL('../..', import.meta.url).pathname;

/**
 * Starts `command args…` from the repository root and waits for `readyPattern` in its
 * output. A process that exits before it is ready rejects `ready` with its output.
 */
export function startProcess(command: string, args: readonly string[], options: { env?: Record<string, string>; cwd?: string; readyPattern: RegExp }): BenchProcess {
  const child = spawn(command, args, {
    cwd: options.cwd ?? REPO,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = once(child, 'exit');
  const ready = new Promise<RegExpExecArray>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      // Keep the head (start-up) and the tail (the latest errors) only.
      output = (output + chunk.toString('utf8')).slice(-200_000);
      const match = options.readyPattern.exec(output);
      if (match) resolve(match);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then(([code, signal]) => reject(new Error(`${command} ${args.join(' ')} exited (${String(code ?? signal)}) before it was ready:\n${output}`)));
  });
  ready.catch(() => undefined);
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  const pid = child.pid;
  return {
    child,
    pid,
    ready,
    output: () => output,
    residentBytes: () => residentBytes(pid),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * A Node process running a TypeScript file of this repository through tsx, on `node`
 * (by default the Node running the benchmark; measured servers pass `serverNode()`).
 */
export function startNodeScript(
  script: string,
  args: readonly string[],
  options: { env?: Record<string, string>; readyPattern: RegExp; nodeFlags?: readonly string[]; node?: string },
): BenchProcess {
  return startProcess(options.node ?? process.execPath, [...(options.nodeFlags ?? []), '--import', 'tsx', script, ...args], options);
}

/** VmRSS of a process, in bytes. */
export function residentBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb) * 1024;
}
