// Configuration refuses to start with a clear list of problems; secrets are sealed with
// AES-256-GCM, bound to their owner, rotatable; logs never carry them.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ConfigError, ENV_VARIABLES, loadConfig } from '../src/config.ts';
import { Keyring, secretHint } from '../src/crypto/keyring.ts';
import { REDACT_PATHS } from '../src/logger.ts';

const key = () => randomBytes(32).toString('base64');
const valid = {
  DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/x',
  REDIS_URL: 'redis://127.0.0.1:6379',
  ENCRYPTION_KEYS: `a:${key()}`,
  ENCRYPTION_PRIMARY_KEY_ID: 'a',
};

describe('loadConfig', () => {
  it('parses a valid environment with defaults', () => {
    const c = loadConfig({ ...valid, STRIPE_CONNECT_WEBHOOK_SECRETS: 'whsec_a, whsec_b' });
    expect(c.webhooks).toMatchObject({
      connectSecrets: ['whsec_a', 'whsec_b'],
      toleranceSeconds: 300,
      maxBodyBytes: 1048576,
    });
    expect(c.http.port).toBe(3000);
  });

  it('names every missing and every invalid variable at once', () => {
    let error: ConfigError | undefined;
    try {
      loadConfig({
        REDIS_URL: 'http://nope',
        PORT: 'eighty',
        STRIPE_CONNECT_WEBHOOK_SECRETS: 'sk_live_oops',
      });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = error!.message;
    expect(text).toMatch(/DATABASE_URL is required but not set/);
    expect(text).toMatch(/ENCRYPTION_KEYS is required but not set/);
    expect(text).toMatch(/REDIS_URL: must be a redis:\/\/ URL/);
    expect(text).toMatch(/PORT:/);
    expect(text).toMatch(/STRIPE_CONNECT_WEBHOOK_SECRETS.*whsec_/);
  });

  it('is documented: .env.example names exactly the variables the schema reads, each with a comment', () => {
    const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8').split(
      '\n',
    );
    const documented = example.filter((l) => /^[A-Z_]+=/.test(l)).map((l) => l.split('=')[0]);
    expect([...documented].sort()).toEqual([...ENV_VARIABLES].sort());
    for (const name of ENV_VARIABLES) {
      const i = example.findIndex((l) => l.startsWith(`${name}=`));
      expect(
        example.slice(Math.max(0, i - 3), i).some((l) => l.startsWith('#')),
        `${name} has a comment`,
      ).toBe(true);
    }
  });

  it('takes a hash-tagged queue prefix (Redis Cluster) and refuses one with spaces', () => {
    expect(loadConfig({ ...valid, QUEUE_PREFIX: '{dd}' }).redis.prefix).toBe('{dd}');
    expect(() => loadConfig({ ...valid, QUEUE_PREFIX: 'd d' })).toThrow(/QUEUE_PREFIX/);
  });

  it('refuses a key of the wrong size and a primary key id that is not in the ring', () => {
    expect(() => loadConfig({ ...valid, ENCRYPTION_KEYS: 'a:c2hvcnQ=' })).toThrow(
      /ENCRYPTION_KEYS: each entry/,
    );
    expect(() => loadConfig({ ...valid, ENCRYPTION_PRIMARY_KEY_ID: 'b' })).toThrow(
      /ENCRYPTION_PRIMARY_KEY_ID: must name one/,
    );
  });
});

describe('notification retries', () => {
  it('span about a day by default before a notification is dead-lettered', () => {
    const { notifications } = loadConfig(valid);
    // BullMQ's exponential backoff: retry n waits backoff × 2^(n-1).
    let waited = 0;
    for (let n = 1; n < notifications.maxAttempts; n++)
      waited += notifications.backoffMs * 2 ** (n - 1);
    expect(waited / 3_600_000).toBeGreaterThan(20);
    expect(waited / 3_600_000).toBeLessThan(26);
  });
});

describe('Keyring', () => {
  const k1 = randomBytes(32);
  const k2 = randomBytes(32);

  it('round-trips, and never produces the same ciphertext twice', () => {
    const ring = new Keyring(new Map([['k1', k1]]), 'k1');
    const a = ring.seal('rk_test_abcdef123456', 'tenant-1:api_key');
    const b = ring.seal('rk_test_abcdef123456', 'tenant-1:api_key');
    expect(a.ciphertext).not.toBe(b.ciphertext);
    expect(a.ciphertext).not.toContain('abcdef');
    expect(ring.open(a.ciphertext, 'tenant-1:api_key')).toBe('rk_test_abcdef123456');
  });

  it('refuses a ciphertext moved to another owner or tampered with', () => {
    const ring = new Keyring(new Map([['k1', k1]]), 'k1');
    const { ciphertext } = ring.seal('secret', 'tenant-1:x');
    expect(() => ring.open(ciphertext, 'tenant-2:x')).toThrow();
    const parts = ciphertext.split('.');
    parts[4] = Buffer.from('evil').toString('base64url');
    expect(() => ring.open(parts.join('.'), 'tenant-1:x')).toThrow();
  });

  it('opens old ciphertexts after a key rotation and seals new ones with the new key', () => {
    const old = new Keyring(new Map([['k1', k1]]), 'k1');
    const sealed = old.seal('whsec_rotating', 'aad');
    const rotated = new Keyring(
      new Map([
        ['k1', k1],
        ['k2', k2],
      ]),
      'k2',
    );
    expect(rotated.open(sealed.ciphertext, 'aad')).toBe('whsec_rotating');
    expect(rotated.needsRotation(sealed)).toBe(true);
    expect(rotated.seal('x', 'aad').keyId).toBe('k2');
  });

  it('shows at most the last four characters', () => {
    expect(secretHint('whsec_1234567890abcd')).toBe('abcd');
    expect(secretHint('short')).toBe('');
  });
});

describe('log redaction', () => {
  it('never writes signatures, authorization headers, or secret-named fields', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write: (chunk: Buffer, _e, cb) => (lines.push(chunk.toString()), cb()),
    });
    const log = pino({ redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink);
    log.info(
      {
        req: {
          headers: { 'stripe-signature': 't=1,v1=deadbeef', authorization: 'Bearer tok_secret' },
        },
      },
      'x',
    );
    log.info(
      { tenant: { apiKey: 'rk_live_123456789', refreshToken: 'rt_abc', secret: 'whsec_zzz' } },
      'y',
    );
    const text = lines.join('');
    for (const leaked of ['deadbeef', 'tok_secret', 'rk_live_123456789', 'rt_abc', 'whsec_zzz']) {
      expect(text).not.toContain(leaked);
    }
    expect(text).toContain('[redacted]');
  });
});
