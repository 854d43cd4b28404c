import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** A cell of a printed table. Numbers are rounded for reading; the JSON keeps them whole. */
export type Cell = string | number | boolean | undefined;

const RESULTS_DIR = new URL('../results/', import.meta.url).pathname;

/** Prints `rows` under `title` as an aligned text table. */
export function printTable<Row extends { [K in keyof Row]: Cell }>(title: string, rows: readonly Row[]): void {
  const cells = rows as ReadonlyArray<Record<string, Cell>>;
  const columns = [...new Set(cells.flatMap((row) => Object.keys(row)))];
  const text = (cell: Cell) => formatCell(cell);
  const widths = columns.map((column) => Math.max(column.length, ...cells.map((row) => text(row[column]).length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padStart(widths[i] ?? 0)).join('  ');
  console.log(`\n${title}`);
  console.log(line(columns));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of cells) console.log(line(columns.map((column) => text(row[column]))));
}

function formatCell(cell: Cell): string {
  if (cell === undefined) return '-';
  if (typeof cell === 'number') {
    if (Number.isNaN(cell)) return 'n/a';
    if (Number.isInteger(cell)) return String(cell);
    return Math.abs(cell) >= 100 ? cell.toFixed(0) : Math.abs(cell) >= 10 ? cell.toFixed(1) : cell.toFixed(2);
  }
  return String(cell);
}

/** The machine a result was measured on: the context every number needs. */
export function machine() {
  return {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  };
}

/**
 * Writes `data` as `bench/results/<profile>/<name>.json` (the latest run of that
 * profile; `full` is committed with the README that quotes it) and returns the path.
 */
export async function writeResult(profile: string, name: string, data: object): Promise<string> {
  const dir = path.join(RESULTS_DIR, profile);
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  await fs.writeFile(file, `${JSON.stringify({ name, profile, at: new Date().toISOString(), machine: machine(), ...data }, null, 2)}\n`);
  return file;
}
