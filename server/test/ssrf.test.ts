// Notification destinations cannot reach inside our network: every textual form of an internal
// address is refused (IPv4-mapped, IPv4-compatible, NAT64, 6to4 included), a destination stored
// before its DNS changed is refused at delivery and at "send test" without a status or timing,
// and the socket connects to exactly the address the guard checked (one resolution, no rebinding).
import http from 'node:http';
import type { LookupAddress } from 'node:dns';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateTenant } from '../src/connections/lifecycle/activate-tenant.ts';
import {
  assertPublicDestination,
  isInternalAddress,
  type ResolveHost,
} from '../src/notifications/address-guard.ts';
import { createDestination } from '../src/notifications/destinations.ts';
import { postNotification } from '../src/notifications/post-notification.ts';
import { appCall } from './support/app-client.ts';
import { ADMIN_TOKEN, APP_SECRETS } from './support/emulator.ts';
import { useStack } from './support/harness.ts';
import { stripeId } from './support/ids.ts';

const env = useStack({
  worker: false,
  env: () => ({
    NOTIFICATION_ALLOW_PRIVATE_ADDRESSES: 'false',
    STRIPE_APP_SIGNING_SECRETS: APP_SECRETS.join(','),
    ADMIN_API_TOKENS: ADMIN_TOKEN,
    NOTIFICATION_TIMEOUT_MS: '2000',
  }),
});

let hits = 0;
let listener: http.Server;
let port: number;
beforeAll(async () => {
  listener = http.createServer((req, res) => {
    hits++;
    req.resume();
    res.writeHead(204).end();
  });
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  port = (listener.address() as AddressInfo).port;
});
afterAll(() => new Promise((r) => listener.close(r)));

const BYPASS_FORMS = [
  '127.0.0.1',
  '[::ffff:127.0.0.1]',
  '[::ffff:7f00:1]',
  '[::ffff:169.254.169.254]',
  '[::127.0.0.1]',
  '[64:ff9b::7f00:1]',
  '[64:ff9b::a9fe:a9fe]',
  '[64:ff9b:1::a00:1]',
  '[2002:7f00:1::]',
  '[::1]',
  '[::]',
  '0.0.0.0',
  '[fe80::1]',
  '[fd12:3456::1]',
  '100.64.0.1',
  '0x7f.1', // WHATWG URL turns this into 127.0.0.1
  '2130706433', // and this
  '[2001:0:4136:e378:8000:63bf:3fff:fdd2]', // Teredo
];

async function tenant() {
  const account = stripeId('acct');
  const { tenant } = await activateTenant(
    { ...env.stack.enqueueDeps, prisma: env.stack.db.prisma, logger: env.stack.logger },
    { stripeAccountId: account, livemode: false, connectionType: 'oauth' },
  );
  return { id: tenant.id, account, user: stripeId('usr') };
}

/** A destination stored while its host looked public (here: stored with the guard off). */
async function storedDestination(tenantId: string, url: string) {
  return createDestination(
    { prisma: env.stack.db.prisma, keyring: env.stack.keyring, allowPrivateAddresses: true },
    tenantId,
    url,
  );
}

const postDeps = (allowPrivateAddresses: boolean, resolveHost?: ResolveHost) => ({
  prisma: env.stack.db.prisma,
  keyring: env.stack.keyring,
  settings: { timeoutMs: 2000, allowPrivateAddresses },
  resolveHost,
});

describe('address classification', () => {
  it('calls every internal form internal and public unicast public', () => {
    for (const ip of [
      '127.0.0.1',
      '10.0.0.1',
      '172.16.5.4',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '255.255.255.255',
      '224.0.0.1',
      '::1',
      '::',
      '::ffff:127.0.0.1',
      '::ffff:8.8.8.8',
      '::127.0.0.1',
      '64:ff9b::7f00:1',
      '64:ff9b::808:808',
      '2002:7f00:1::',
      'fe80::1',
      'fc00::1',
      'ff02::1',
      '2001:db8::1',
      'not an address',
    ])
      expect(isInternalAddress(ip), ip).toBe(true);
    for (const ip of [
      '8.8.8.8',
      '93.184.216.34',
      '1.1.1.1',
      '2606:4700:4700::1111',
      '2a00:1450::1',
    ])
      expect(isInternalAddress(ip), ip).toBe(false);
  });
});

describe('destinations refused', () => {
  it('refuses each bypass form on creation through the app API, reaching nothing', async () => {
    const t = await tenant();
    for (const host of BYPASS_FORMS) {
      const url = `http://${host}:${port}/hook`;
      const res = await appCall<{ error: { code: string; details?: { reason?: string } } }>(
        env.stack.api.url,
        'POST',
        '/app/v1/notification-destinations',
        { user: t.user, account: t.account },
        { body: { url } },
      );
      expect(res.status, url).toBe(400);
      expect(res.body.error.details?.reason, url).toBe('internal_address');
    }
    expect(hits).toBe(0);
  });

  it('refuses a stored internal destination at "send test" with no status, timing or address', async () => {
    const t = await tenant();
    for (const host of ['[::ffff:127.0.0.1]', '[::127.0.0.1]', '[64:ff9b::7f00:1]', '127.0.0.1']) {
      const d = await storedDestination(t.id, `http://${host}:${port}/probe`);
      const res = await appCall<Record<string, unknown>>(
        env.stack.api.url,
        'POST',
        `/app/v1/notification-destinations/${d.id}/test`,
        { user: t.user, account: t.account },
      );
      expect(res.status, host).toBe(200);
      expect(res.body, host).toMatchObject({
        delivered: false,
        httpStatus: null,
        durationMs: null,
      });
      expect(String(res.body.error)).toMatch(/^refused: /);
      expect(String(res.body.error)).not.toMatch(/127|7f00|ffff|\d{4,5}/);
    }
    expect(hits).toBe(0);
  });

  it('a failed test to a public address says why without naming addresses or ports', async () => {
    const t = await tenant();
    const d = await storedDestination(t.id, 'http://hook.invalid/x');
    const res = await appCall<Record<string, unknown>>(
      env.stack.api.url,
      'POST',
      `/app/v1/notification-destinations/${d.id}/test`,
      { user: t.user, account: t.account },
    );
    expect(res.body).toMatchObject({ delivered: false, httpStatus: null });
    expect(res.body.error).toBe('refused: The destination host hook.invalid does not resolve.');
  });
});

describe('the checked address is the connected address', () => {
  const resolver = (answers: LookupAddress[][]) => {
    const calls: string[] = [];
    const resolve: ResolveHost = (host) => {
      calls.push(host);
      return Promise.resolve(answers[Math.min(calls.length - 1, answers.length - 1)]!);
    };
    return { resolve, calls };
  };

  it('connects through the guard’s own resolution, exactly once per delivery', async () => {
    const t = await tenant();
    const url = `http://receiver.example:${port}/pinned`;
    const d = await storedDestination(t.id, url);
    const r = resolver([[{ address: '127.0.0.1', family: 4 }]]);
    const before = hits;
    // Private addresses allowed (as in development): the name only resolves through our lookup,
    // so reaching the listener proves the socket used the guard's answer.
    const ok = await postNotification(
      postDeps(true, r.resolve),
      { url, tenantId: t.id, destinationId: d.id },
      '{}',
    );
    expect(ok).toMatchObject({ ok: true, httpStatus: 204 });
    expect(hits).toBe(before + 1);
    expect(r.calls).toEqual(['receiver.example']);
  });

  it('refuses a host that rebinds to an internal address after passing the creation check', async () => {
    const t = await tenant();
    const url = `http://rebind.example:${port}/rebind`;
    const r = resolver([
      [{ address: '93.184.216.34', family: 4 }],
      [{ address: '127.0.0.1', family: 4 }],
    ]);
    await expect(assertPublicDestination(url, false, r.resolve)).resolves.toBeInstanceOf(URL);
    const d = await storedDestination(t.id, url);
    const before = hits;
    const res = await postNotification(
      postDeps(false, r.resolve),
      { url, tenantId: t.id, destinationId: d.id },
      '{}',
    );
    expect(res).toMatchObject({ ok: false, refused: true, httpStatus: null });
    expect(hits).toBe(before);
    expect(r.calls).toEqual(['rebind.example', 'rebind.example']);
  });

  it('refuses a host with any internal address among public ones', async () => {
    const t = await tenant();
    const url = `http://mixed.example:${port}/mixed`;
    const d = await storedDestination(t.id, url);
    const r = resolver([
      [
        { address: '93.184.216.34', family: 4 },
        { address: '::ffff:127.0.0.1', family: 6 },
      ],
    ]);
    const before = hits;
    const res = await postNotification(
      postDeps(false, r.resolve),
      { url, tenantId: t.id, destinationId: d.id },
      '{}',
    );
    expect(res).toMatchObject({ ok: false, refused: true });
    expect(hits).toBe(before);
  });
});
