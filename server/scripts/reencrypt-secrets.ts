// npm run secrets:reencrypt — after a new key was added to ENCRYPTION_KEYS and made
// ENCRYPTION_PRIMARY_KEY_ID: re-seals every stored secret under it, with progress and a summary.
// Old keys can leave the keyring once this reports nothing left on them.
import { loadConfigOrExit } from '../src/config.ts';
import { Keyring } from '../src/crypto/keyring.ts';
import { reencryptSecrets } from '../src/crypto/reencrypt-secrets.ts';
import { createDb } from '../src/db.ts';

const config = loadConfigOrExit();
const keyring = new Keyring(config.encryption.keys, config.encryption.primaryKeyId);
const db = createDb({ url: config.database.url, poolSize: 2 });
const started = Date.now();
try {
  const result = await reencryptSecrets(
    { pool: db.pool, keyring },
    {
      onProgress: (done, total) =>
        process.stdout.write(
          `${process.stdout.isTTY ? '\r' : ''}  re-encrypted ${done}/${total}${process.stdout.isTTY ? '' : '\n'}`,
        ),
    },
  );
  if (process.stdout.isTTY) process.stdout.write('\n');
  const from =
    Object.entries(result.byKey)
      .map(([k, n]) => `${n} on ${k}`)
      .join(', ') || 'none';
  console.log(
    `Re-encrypted ${result.reencrypted} secret(s) under key ${keyring.primaryKeyId} in ${((Date.now() - started) / 1000).toFixed(1)} s (were: ${from}).`,
  );
} finally {
  await db.close();
}
