/**
 * The one way lrs-relay runs a transaction. Every multi-statement write (the outbox claim, batch
 * assembly, support actions, staff accounts, ULN acquisition chunks) goes through `inTransaction`, so a
 * failed client is always handled the same way: rolled back, and handed back to the pool as broken when
 * the rollback itself fails, so the pool discards it instead of lending out a connection whose backend
 * is gone.
 */
import type pg from 'pg';

/** Anything a statement can run on: the pool (its own implicit transaction) or a client inside `inTransaction`. */
export type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

/** Runs `fn` between begin and commit on one pooled client; rolls back and rethrows on any error. */
export async function inTransaction<T>(
  pool: Pick<pg.Pool, 'connect'>,
  fn: (c: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  // A checked-out client has no error listener; a backend killed between two statements would otherwise
  // crash the process. The next statement fails instead, and the caller (a job, a command) retries.
  client.on('error', ignoreClientError);
  let broken: Error | undefined;
  try {
    await client.query('begin');
    const result = await fn(client);
    await client.query('commit');
    return result;
  } catch (e) {
    // A refused action (a business error) rolls back cleanly and the connection is reused; when even
    // the rollback fails the backend is likely gone, and the pool must discard the client.
    await client.query('rollback').catch((rollbackError: unknown) => {
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    });
    throw e;
  } finally {
    client.off('error', ignoreClientError);
    client.release(broken);
  }
}

function ignoreClientError(): void {}
