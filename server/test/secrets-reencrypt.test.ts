// Re-encrypting stored secrets under a new primary key: every credential moves to the new key,
// still opens for its owner, and nothing else changes; a second run has nothing to do.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keyring } from '../src/crypto/keyring.ts';
import { reencryptSecrets } from '../src/crypto/reencrypt-secrets.ts';
import { createDb, type Db } from '../src/db.ts';
import { createTestDatabase } from './support/harness.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: Db;
beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb({ url: database.url, poolSize: 3 });
});
afterAll(async () => {
  await db?.close();
  await database?.drop();
});

describe('reencryptSecrets', () => {
  it('moves every secret to the new primary key, in batches, with progress', async () => {
    const k1 = randomBytes(32);
    const k2 = randomBytes(32);
    const old = new Keyring(new Map([['k1', k1]]), 'k1');
    const tenants = await Promise.all(
      [1, 2, 3].map((i) =>
        db.prisma.tenant.create({ data: { stripeAccountId: `acct_reenc${i}`, livemode: false } }),
      ),
    );
    const plain = new Map<string, string>();
    for (const t of tenants) {
      for (const kind of ['api_key', 'webhook_signing_secret', 'oauth_refresh_token']) {
        const secret = `${kind}_${t.stripeAccountId}_${randomBytes(6).toString('hex')}`;
        const sealed = old.seal(secret, `${t.id}:${kind}`);
        const row = await db.prisma.credential.create({
          data: {
            tenantId: t.id,
            kind,
            ciphertext: sealed.ciphertext,
            keyId: sealed.keyId,
            hint: secret.slice(-4),
          },
        });
        plain.set(row.id, secret);
      }
    }
    const rotated = new Keyring(
      new Map([
        ['k1', k1],
        ['k2', k2],
      ]),
      'k2',
    );
    const progress: number[] = [];
    const result = await reencryptSecrets(
      { pool: db.pool, keyring: rotated },
      { batchSize: 4, onProgress: (done) => progress.push(done) },
    );
    expect(result).toEqual({ reencrypted: 9, byKey: { k1: 9 } });
    expect(progress).toEqual([4, 8, 9]);
    const onlyNew = new Keyring(new Map([['k2', k2]]), 'k2');
    for (const row of await db.prisma.credential.findMany()) {
      expect(row.keyId).toBe('k2');
      expect(onlyNew.open(row.ciphertext, `${row.tenantId}:${row.kind}`)).toBe(plain.get(row.id));
    }
    expect(await reencryptSecrets({ pool: db.pool, keyring: rotated })).toEqual({
      reencrypted: 0,
      byKey: {},
    });
  });
});
