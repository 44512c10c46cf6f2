// Re-encrypts every stored secret that is not sealed with the primary key (after adding a new
// key and making it primary), in batches, each batch in one transaction. A secret keeps its
// owner binding (tenant id + kind). Safe to run again: it only touches rows on other keys.
import { withTransaction, type Pool } from '../db.ts';
import type { Keyring } from './keyring.ts';

export async function reencryptSecrets(
  deps: { pool: Pool; keyring: Keyring },
  opts: { batchSize?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<{ reencrypted: number; byKey: Record<string, number> }> {
  const batch = opts.batchSize ?? 500;
  const primary = deps.keyring.primaryKeyId;
  const { rows: counts } = await deps.pool.query<{ key_id: string; n: number }>(
    `SELECT key_id, count(*)::int AS n FROM credentials WHERE key_id <> $1 GROUP BY key_id`,
    [primary],
  );
  const total = counts.reduce((a, c) => a + c.n, 0);
  const byKey = Object.fromEntries(counts.map((c) => [c.key_id, c.n]));
  let done = 0;
  for (;;) {
    const moved = await withTransaction(deps.pool, async (client) => {
      const { rows } = await client.query<{
        id: string;
        tenant_id: string;
        kind: string;
        ciphertext: string;
      }>(
        `SELECT id, tenant_id, kind, ciphertext FROM credentials WHERE key_id <> $1
          ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [primary, batch],
      );
      for (const r of rows) {
        const aad = `${r.tenant_id}:${r.kind}`;
        const sealed = deps.keyring.seal(deps.keyring.open(r.ciphertext, aad), aad);
        await client.query('UPDATE credentials SET ciphertext = $2, key_id = $3 WHERE id = $1', [
          r.id,
          sealed.ciphertext,
          sealed.keyId,
        ]);
      }
      return rows.length;
    });
    done += moved;
    opts.onProgress?.(done, total);
    if (moved < batch) break;
  }
  return { reencrypted: done, byKey };
}
