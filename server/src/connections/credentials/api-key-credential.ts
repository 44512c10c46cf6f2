// A merchant's restricted key, stored encrypted (bound to its tenant) and replacing any earlier one.
import { secretHint } from '../../crypto/keyring.ts';
import type { ConnectionDeps } from '../install-deps.ts';

/** The credential kind, and the associated data the key is sealed with (`<tenant>:api_key`). */
export const API_KEY = 'api_key';

export async function storeApiKey(
  deps: Pick<ConnectionDeps, 'keyring' | 'prisma'>,
  tenantId: string,
  key: string,
) {
  const sealed = deps.keyring.seal(key, `${tenantId}:${API_KEY}`);
  await deps.prisma.$transaction([
    deps.prisma.credential.deleteMany({ where: { tenantId, kind: API_KEY } }),
    deps.prisma.credential.create({
      data: {
        tenantId,
        kind: API_KEY,
        ciphertext: sealed.ciphertext,
        keyId: sealed.keyId,
        hint: secretHint(key),
      },
    }),
  ]);
}
