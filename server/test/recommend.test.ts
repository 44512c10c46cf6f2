// Fight or accept: the win-probability estimate is calibrated — on generated histories (30
// merchants, three reasons with different true win rates, each merchant better or worse than the
// field, 5–60 decided disputes each), predicted and observed win rates agree per decile bucket —
// and the recommendation shows its inputs, lowers the odds for missing required evidence, and
// stays with its tenant.
import { describe, expect, it } from 'vitest';
import { PRIOR_WEIGHT, winProbability } from '../src/analytics/recommend.ts';
import { activateTenant } from '../src/connections/lifecycle/activate-tenant.ts';
import { appCall } from './support/app-client.ts';
import { APP_SECRETS } from './support/emulator.ts';
import { useStack } from './support/harness.ts';
import { stripeId } from './support/ids.ts';

const env = useStack({
  worker: false,
  env: () => ({ STRIPE_APP_SIGNING_SECRETS: APP_SECRETS.join(',') }),
});

/** A small seeded PRNG (mulberry32): the same histories on every run. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('win probability', () => {
  it('is calibrated: predicted vs observed win rate per decile bucket', () => {
    const random = rng(20261201);
    const reasons = { FRAUD: 0.25, PRODUCT_NOT_RECEIVED: 0.6, DUPLICATE: 0.8 };
    type History = Record<string, { won: number; lost: number }>;
    const merchants: Array<{ skill: number; history: History }> = Array.from(
      { length: 30 },
      () => ({
        skill: (random() - 0.5) * 0.3,
        history: {},
      }),
    );
    const truth = (m: (typeof merchants)[number], reason: keyof typeof reasons) =>
      Math.min(0.95, Math.max(0.05, reasons[reason] + m.skill));
    for (const m of merchants) {
      for (const reason of Object.keys(reasons) as Array<keyof typeof reasons>) {
        const n = 5 + Math.floor(random() * 56);
        let won = 0;
        for (let i = 0; i < n; i++) if (random() < truth(m, reason)) won++;
        m.history[reason] = { won, lost: n - won };
      }
    }
    const all = (reason: string) =>
      merchants.reduce(
        (a, m) => ({ won: a.won + m.history[reason]!.won, lost: a.lost + m.history[reason]!.lost }),
        { won: 0, lost: 0 },
      );
    const overall = Object.keys(reasons).reduce(
      (a, r) => ({ won: a.won + all(r).won, lost: a.lost + all(r).lost }),
      { won: 0, lost: 0 },
    );
    const buckets = Array.from({ length: 10 }, () => ({ predicted: 0, observed: 0, n: 0 }));
    for (const m of merchants) {
      for (const reason of Object.keys(reasons) as Array<keyof typeof reasons>) {
        const { p } = winProbability(m.history[reason]!, all(reason), overall);
        for (let i = 0; i < 200; i++) {
          const b = buckets[Math.min(9, Math.floor(p * 10))]!;
          b.predicted += p;
          b.observed += random() < truth(m, reason) ? 1 : 0;
          b.n++;
        }
      }
    }
    const report = buckets
      .map((b, i) => ({
        bucket: i / 10,
        n: b.n,
        predicted: b.predicted / (b.n || 1),
        observed: b.observed / (b.n || 1),
      }))
      .filter((b) => b.n >= 400);
    expect(report.length).toBeGreaterThanOrEqual(4);
    for (const b of report) {
      expect(Math.abs(b.predicted - b.observed), JSON.stringify(b)).toBeLessThan(0.08);
    }
    // Pooling matters: with no history of its own a merchant gets the field's rate.
    expect(
      winProbability({ won: 0, lost: 0 }, { won: 80, lost: 20 }, { won: 80, lost: 20 }).p,
    ).toBeCloseTo(0.8, 1);
    expect(PRIOR_WEIGHT).toBe(20);
  });
});

describe('the recommendation', () => {
  async function tenant() {
    const account = stripeId('acct');
    const { tenant } = await activateTenant(
      { ...env.stack.enqueueDeps, prisma: env.stack.db.prisma, logger: env.stack.logger },
      { stripeAccountId: account, livemode: false, connectionType: 'oauth' },
    );
    return { id: tenant.id, who: { user: stripeId('usr'), account } };
  }
  const insert = (tenantId: string, status: string, n: number, amount = 5000) =>
    env.stack.db.pool.query<{ stripe_id: string }>(
      `INSERT INTO disputes (tenant_id, stripe_id, livemode, type, status, stripe_status, reason, stripe_reason,
                             card_brand, amount, currency, challenge_required_by, evidence_submissions,
                             stripe_created_at, raw, snapshot_at, snapshot_tiebreak)
       SELECT $1, 'du_' || md5(random()::text), false, 'DISPUTE', $2, 'x', 'PRODUCT_NOT_RECEIVED', 'product_not_received',
              'visa', $4, 'USD', now() + interval '5 days', 0, now(), '{}', now(), 't'
         FROM generate_series(1, $3::int) RETURNING stripe_id`,
      [tenantId, status, n, amount],
    );

  it('shows its inputs, prefers fighting a winnable dispute, and lowers the odds for missing evidence', async () => {
    const t = await tenant();
    await insert(t.id, 'WON', 18);
    await insert(t.id, 'LOST', 2);
    const open = (await insert(t.id, 'OPEN', 1, 8000)).rows[0]!.stripe_id;
    const res = await appCall<Record<string, unknown>>(
      env.stack.api.url,
      'GET',
      `/app/v1/disputes/${open}/recommendation`,
      t.who,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      recommendation: 'fight',
      inputs: {
        reason: 'PRODUCT_NOT_RECEIVED',
        amount: 8000,
        tenantHistory: { won: 18, lost: 2 },
        counterFee: 1500,
      },
    });
    const withDraft = res.body as {
      winProbability: number;
      inputs: { evidence: { missingRequired: string[] } };
    };
    // The draft (created on first look) is empty: required shipping fields missing lower the odds.
    await appCall(env.stack.api.url, 'GET', `/app/v1/disputes/${open}/evidence`, t.who);
    const again = await appCall<typeof withDraft>(
      env.stack.api.url,
      'GET',
      `/app/v1/disputes/${open}/recommendation`,
      t.who,
    );
    expect(again.body.inputs.evidence.missingRequired.length).toBeGreaterThan(0);
    expect(again.body.winProbability).toBeLessThan(withDraft.winProbability);
    expect(String((again.body as unknown as { explanation: string }).explanation)).toMatch(
      /empty required field/,
    );
    // A dispute this merchant keeps losing, for a small amount: accept.
    const u = await tenant();
    await insert(u.id, 'LOST', 40, 300);
    const small = (await insert(u.id, 'OPEN', 1, 300)).rows[0]!.stripe_id;
    const advice = await appCall<{ recommendation: string }>(
      env.stack.api.url,
      'GET',
      `/app/v1/disputes/${small}/recommendation`,
      u.who,
    );
    expect(advice.body.recommendation).toBe('accept');
    // Another tenant's dispute is not found.
    const crossed = await appCall(
      env.stack.api.url,
      'GET',
      `/app/v1/disputes/${open}/recommendation`,
      u.who,
    );
    expect(crossed.status).toBe(404);
  });
});
