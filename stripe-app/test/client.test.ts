// The API client: every call carries a fresh signature from fetchStripeSignature() and the
// identity it signs; answers and failures come back typed. Real HTTP against the stand-in.
import { createHash } from 'node:crypto';
import { fetchStripeSignature } from '@stripe/ui-extension-sdk/utils';
import { ApiError, createApiClient } from '../src/api/client';
import { FakeBackend, stubBackendPerFile } from './support/backend';
import {
  destinationFixture,
  fail,
  ok,
  paymentFixture,
  statusFixture,
  summaryFixture,
} from './support/fixtures';

const backend = stubBackendPerFile();

const client = () =>
  createApiClient({
    baseUrl: `${backend.url}/`,
    userId: 'usr_9',
    accountId: 'acct_9',
    mode: 'live',
  });

describe('the API client', () => {
  it('signs every request, with the identity in the query (GET) or the body', async () => {
    const dest = destinationFixture();
    backend
      .on('GET /app/v1/status', ok(statusFixture()))
      .on('GET /app/v1/summary', ok(summaryFixture()))
      .on('GET /app/v1/disputes', ok({ data: [], has_more: false, next_cursor: null }))
      .on('GET /app/v1/disputes/du_1', ok(paymentFixture().disputes[0]))
      .on('GET /app/v1/payments/ch_1/disputes', ok(paymentFixture()))
      .on('GET /app/v1/notification-destinations', ok({ data: [dest] }))
      .on('POST /app/v1/notification-destinations', ok({}))
      .on(`POST /app/v1/notification-destinations/${dest.id}`, ok(dest))
      .on(`POST /app/v1/notification-destinations/${dest.id}/rotate-secret`, ok({}))
      .on(`POST /app/v1/notification-destinations/${dest.id}/test`, ok({}))
      .on(`DELETE /app/v1/notification-destinations/${dest.id}`, ok({ deleted: true }))
      .on('POST /app/v1/connection/disconnect', ok({}));
    jest.mocked(fetchStripeSignature).mockClear();
    const api = client();
    await api.status();
    await api.summary();
    await api.disputes({ status: 'OPEN', cursor: undefined });
    await api.dispute('du_1');
    await api.paymentDisputes('ch_1');
    await api.destinations();
    await api.createDestination('https://x.example/h');
    await api.setDestinationEnabled(dest.id, false);
    await api.rotateDestinationSecret(dest.id);
    await api.testDestination(dest.id);
    await api.deleteDestination(dest.id);
    await api.disconnect('acct_9');
    expect(backend.requests).toHaveLength(12);
    const signatures = backend.requests.map((r) => r.headers['stripe-signature']);
    expect(new Set(signatures).size).toBe(12); // a fresh signature per request
    expect(jest.mocked(fetchStripeSignature)).toHaveBeenCalledTimes(12);
    for (const r of backend.requests) {
      const identity = r.method === 'GET' ? r.query : r.body;
      expect(identity).toMatchObject({ user_id: 'usr_9', account_id: 'acct_9', mode: 'live' });
    }
    expect(backend.requests[2]!.query).toEqual({
      status: 'OPEN',
      user_id: 'usr_9',
      account_id: 'acct_9',
      mode: 'live',
    });
    expect(backend.requests[6]!.body).toMatchObject({ url: 'https://x.example/h' });
    expect(backend.requests[7]!.body).toMatchObject({ enabled: false });
  });

  it('binds each signature to its request: method, path with query, mode and body hash', async () => {
    const dest = destinationFixture();
    backend
      .on('GET /app/v1/disputes', ok({ data: [], has_more: false, next_cursor: null }))
      .on(`POST /app/v1/notification-destinations/${dest.id}`, ok(dest));
    jest.mocked(fetchStripeSignature).mockClear();
    const api = client();
    await api.disputes({ status: 'LOST' });
    await api.setDestinationEnabled(dest.id, true);
    const calls = jest.mocked(fetchStripeSignature).mock.calls.map((c) => c[0]);
    expect(calls).toHaveLength(2);
    backend.requests.forEach((r, i) => {
      expect(calls[i]).toEqual({
        method: r.method,
        path: r.target,
        mode: 'live',
        body_sha256: createHash('sha256').update(r.raw).digest('hex'),
      });
    });
    expect(backend.requests[0]!.target).toContain('status=LOST');
    expect(backend.requests[1]!.raw).toContain('"enabled":true');
  });

  it('turns error answers into ApiError with the code, message and details', async () => {
    backend.on(
      'GET /app/v1/summary',
      fail(403, 'forbidden', 'disconnected', { reason: 'disconnected' }),
    );
    const err = await client()
      .summary()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({
      status: 403,
      code: 'forbidden',
      message: 'disconnected',
      details: { reason: 'disconnected' },
    });
  });

  it('reports an unreachable backend as a network error', async () => {
    // A port nothing listens on: the stand-in's, plus one it does not use.
    const closed = new FakeBackend();
    await closed.start();
    const url = closed.url;
    await closed.stop();
    const api = createApiClient({
      baseUrl: url,
      userId: 'usr_9',
      accountId: 'acct_9',
      mode: 'test',
    });
    await expect(api.status()).rejects.toMatchObject({ status: 0, code: 'network_error' });
  });
});
