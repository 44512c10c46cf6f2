// What the scenarios use to reach the stack: its addresses (from the global setup), Postgres,
// signed app requests (what fetchStripeSignature produces), admin calls, the emulator (as Stripe
// and through its control API), a notification receiver, and the merchant's install in the browser.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { expect, type Page, type TestInfo } from '@playwright/test';
import pg from 'pg';
import Stripe from 'stripe';
import { verifyDisputeNotification } from '../../../docs/examples/verify-dispute-notification.mjs';
import { requestBinding } from '../../../server/src/app-api/request-binding.ts';

export const STACK_FILE = path.join(import.meta.dirname, '..', '.stack.json');

/** A TCP port free on loopback right now. */
export const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });

export interface StackInfo {
  api: string;
  emulator: string;
  databaseUrl: string;
  platformKey: string;
  appSecret: string;
  bootstrapToken: string;
}

export const stack = (): StackInfo => JSON.parse(readFileSync(STACK_FILE, 'utf8')) as StackInfo;

export async function query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []) {
  const c = new pg.Client({ connectionString: stack().databaseUrl });
  await c.connect();
  try {
    return (await c.query<T>(sql, params)).rows;
  } finally {
    await c.end();
  }
}

/** The emulator as Stripe: the platform key, acting on a connected account with stripeAccount. */
export function stripe() {
  const u = new URL(stack().emulator);
  return new Stripe(stack().platformKey, {
    host: u.hostname,
    port: Number(u.port),
    protocol: 'http',
  });
}

export async function control<T>(p: string, body: unknown): Promise<T> {
  const res = await fetch(`${stack().emulator}/_emulator/${p}`, {
    method: 'POST',
    body: JSON.stringify(body),
  });
  return (await res.json()) as T;
}

/**
 * A request from the Stripe App: the identity, and Stripe-Signature over {user_id, account_id}
 * and the request binding (method, path with query, mode, body hash), as the app's client signs.
 */
export async function appCall<T = Record<string, unknown>>(
  account: string,
  method: 'GET' | 'POST',
  p: string,
  body: Record<string, unknown> = {},
) {
  const identity = { user_id: 'usr_e2e', account_id: account };
  const url = new URL(`${stack().api}${p}`);
  if (method === 'GET')
    for (const [k, v] of Object.entries({ ...identity, mode: 'test' })) url.searchParams.set(k, v);
  const text = method === 'POST' ? JSON.stringify({ ...identity, mode: 'test', ...body }) : '';
  const binding = await requestBinding(method, `${url.pathname}${url.search}`, 'test', text);
  const signature = Stripe.webhooks.generateTestHeaderString({
    payload: JSON.stringify({ ...identity, ...binding }),
    secret: stack().appSecret,
  });
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', 'stripe-signature': signature },
    ...(method === 'POST' ? { body: text } : {}),
  });
  return { status: res.status, body: (await res.json()) as T };
}

export async function adminCall<T = Record<string, unknown>>(
  token: string,
  method: 'GET' | 'POST',
  p: string,
  body?: unknown,
) {
  const res = await fetch(`${stack().api}/admin/v1/${p}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as T };
}

/** A screenshot kept as a file among the test's artifacts (test-results/e2e/…). */
export async function shoot(page: Page, testInfo: TestInfo, name: string) {
  const file = testInfo.outputPath(name);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * A merchant installs DisputeDesk in the browser: our install link, the (emulated) Stripe
 * authorize page choosing `account`, Install, back to our success page. Screenshots of both pages
 * are attached to the test.
 */
export async function installInBrowser(page: Page, testInfo: TestInfo, account: string) {
  await page.goto(`${stack().api}/oauth/install?mode=test`);
  await expect(page.getByRole('heading', { name: 'Install DisputeDesk' })).toBeVisible();
  await page.getByLabel('Account').selectOption(account);
  await testInfo.attach('authorize page', {
    body: await page.screenshot(),
    contentType: 'image/png',
  });
  await page.getByRole('button', { name: 'Install' }).click();
  await expect(page).toHaveURL(new RegExp(`^${stack().api}/oauth/callback`));
  await testInfo.attach('installed page', {
    body: await page.screenshot(),
    contentType: 'image/png',
  });
  const [tenant] = await query<{ id: string; status: string }>(
    'SELECT id, status FROM tenants WHERE stripe_account_id = $1 AND livemode = false',
    [account],
  );
  expect(tenant?.status).toBe('active');
  return tenant!.id;
}

/** A merchant's system receiving DISPUTE.STATUS notifications, verifying each signature. */
export async function notificationReceiver() {
  const received: Array<{ body: Record<string, unknown>; verified: (secret: string) => boolean }> =
    [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      received.push({
        body: JSON.parse(raw.toString()) as Record<string, unknown>,
        verified: (secret) => verifyDisputeNotification(raw, req.headers, secret),
      });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/disputes`,
    received,
    close: () => new Promise((r) => server.close(r)),
  };
}
