import { describe, expect, it } from 'vitest';
import { KeyedSerializer } from '../../../src/dispatch/keyed-serializer.js';

/** A task that finishes when the test says so, recording when it started and ended. */
function gate(log: string[], name: string) {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return {
    task: async () => {
      log.push(`start ${name}`);
      await opened;
      log.push(`end ${name}`);
      return name;
    },
    open: () => open(),
  };
}

describe('KeyedSerializer', () => {
  it('runs tasks of one key one after another, in the order started, even when one fails', async () => {
    const serializer = new KeyedSerializer();
    const log: string[] = [];
    const a = gate(log, 'a');
    const first = serializer.run('k', a.task);
    const second = serializer.run('k', () => Promise.reject(new Error('b failed')));
    const c = gate(log, 'c');
    const third = serializer.run('k', c.task);
    await Promise.resolve();
    expect(log).toEqual(['start a']);
    a.open();
    expect(await first).toBe('a');
    await expect(second).rejects.toThrow('b failed');
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['start a', 'end a', 'start c']);
    c.open();
    expect(await third).toBe('c');
    await new Promise((resolve) => setImmediate(resolve));
    expect(serializer.size).toBe(0);
  });

  it('runs tasks of different keys side by side', async () => {
    const serializer = new KeyedSerializer();
    const log: string[] = [];
    const a = gate(log, 'a');
    const b = gate(log, 'b');
    const both = [serializer.run('x', a.task), serializer.run('y', b.task)];
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['start a', 'start b']);
    b.open();
    a.open();
    expect(await Promise.all(both)).toEqual(['a', 'b']);
  });
});
