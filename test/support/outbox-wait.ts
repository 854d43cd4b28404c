import { type DataSource } from 'typeorm';
import { type GatewayProcess } from './process.js';

/**
 * Resolves once no dispatch is PENDING; rejects if the gateway process exits first.
 *
 * The gateway is another process, so `dispatcher.settled` is out of reach. Rather than
 * poll on a clock, the check is driven by the gateway's own activity: it logs every
 * dispatch it settles ("dispatch succeeded", or a failure) after the transaction that
 * settles it has committed, so the check that follows the last such log line sees the
 * final state. Checked once at the start too, and never two checks at a time (a line
 * that arrives during a check triggers one more).
 */
export function untilNonePending(db: DataSource, gateway: GatewayProcess): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let checking = false;
    let again = false;
    let done = false;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      gateway.child.stdout?.off('data', onOutput);
      gateway.child.stderr?.off('data', onOutput);
      if (error === undefined) resolve();
      else reject(error);
    };
    const check = async () => {
      if (checking) {
        again = true;
        return;
      }
      checking = true;
      try {
        do {
          again = false;
          const [row] = await db.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM dispatch WHERE state = 'PENDING'`);
          if (row!.n === 0) return finish();
        } while (again && !done);
      } catch (error) {
        finish(error as Error);
      } finally {
        checking = false;
      }
    };
    const onOutput = () => void check();
    gateway.child.stdout?.on('data', onOutput);
    gateway.child.stderr?.on('data', onOutput);
    void gateway.exited.then((code) => finish(new Error(`the gateway exited (${code}) with dispatches still PENDING:\n${gateway.output()}`)));
    void check();
  });
}
