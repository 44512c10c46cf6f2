// AES-256-GCM envelope encryption for secrets at rest. Each ciphertext names the key that
// sealed it, so keys can be rotated: new secrets use the primary key, old ones still open with
// theirs until re-encrypted. Format: `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AppError } from '../errors.ts';

export interface Sealed {
  ciphertext: string;
  keyId: string;
}

export class Keyring {
  constructor(
    private readonly keys: ReadonlyMap<string, Buffer>,
    readonly primaryKeyId: string,
  ) {
    if (!keys.has(primaryKeyId))
      throw new Error(`primary key ${primaryKeyId} is not in the keyring`);
  }

  /** `aad` binds the ciphertext to its owner (e.g. tenant id + kind): moved elsewhere, it fails. */
  seal(plaintext: string, aad: string): Sealed {
    const key = this.keys.get(this.primaryKeyId)!;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(aad));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const parts = [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url'));
    return { ciphertext: ['v1', this.primaryKeyId, ...parts].join('.'), keyId: this.primaryKeyId };
  }

  open(ciphertext: string, aad: string): string {
    const [version, keyId, iv, tag, body] = ciphertext.split('.');
    const key = keyId ? this.keys.get(keyId) : undefined;
    if (version !== 'v1' || !iv || !tag || body === undefined) {
      throw new AppError('internal', 'stored secret has an unknown format');
    }
    if (!key) throw new AppError('internal', `encryption key ${keyId} is not configured`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([
      decipher.update(Buffer.from(body, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
  }

  needsRotation(sealed: Pick<Sealed, 'keyId'>): boolean {
    return sealed.keyId !== this.primaryKeyId;
  }
}

/** At most the last four characters of a secret, for display. */
export function secretHint(secret: string): string {
  return secret.length <= 8 ? '' : secret.slice(-4);
}
