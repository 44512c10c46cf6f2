// The overview's figures for one tenant. "Open" is OPEN or CHALLENGED; "needs a response" is
// OPEN with a deadline still ahead; the amount at risk sums open disputes per currency. The
// 90-day figures (win rate, reasons, the weekly chart) count disputes opened in the last 90 days,
// by where they stand now: won against lost, accepted or expired.
import type { Summary } from './dispute-contract.ts';
import type { Pool } from '../db.ts';
import type { DisputeStatus } from './normalize-dispute.ts';
import type { UnifiedReason } from './reason-codes.ts';
import { DISPUTE_COLUMNS, toDispute, type DisputeRow } from './dispute-view.ts';

const OUTCOME: Record<DisputeStatus, Summary['weekly'][number]['outcome']> = {
  OPEN: 'Pending',
  CHALLENGED: 'Pending',
  WON: 'Won',
  LOST: 'Lost',
  ACCEPTED: 'Lost',
  EXPIRED: 'Lost',
  CANCELLED: 'Cancelled',
};

export async function disputeSummary(
  pool: Pool,
  tenantId: string,
  now = new Date(),
): Promise<Summary> {
  const [open, recent, urgent] = await Promise.all([
    // One pass over the open disputes, per currency (index-only: see the covering index).
    pool.query<{ currency: string; open: number; needs: number; due: number; amount: number }>(
      `SELECT currency, count(*)::int AS open,
              count(*) FILTER (WHERE status = 'OPEN' AND challenge_required_by > $2::timestamptz)::int AS needs,
              count(*) FILTER (WHERE status = 'OPEN' AND challenge_required_by > $2::timestamptz
                                 AND challenge_required_by <= $2::timestamptz + interval '72 hours')::int AS due,
              sum(amount)::float8 AS amount
         FROM disputes WHERE tenant_id = $1 AND status IN ('OPEN', 'CHALLENGED')
        GROUP BY currency ORDER BY sum(amount) DESC, currency`,
      [tenantId, now],
    ),
    pool.query<{ reason: UnifiedReason; status: DisputeStatus; week: string; n: number }>(
      `SELECT reason, status, to_char(week, 'YYYY-MM-DD') AS week, n
         FROM (SELECT reason, status, date_trunc('week', stripe_created_at AT TIME ZONE 'UTC') AS week,
                      count(*)::int AS n
                 FROM disputes WHERE tenant_id = $1 AND stripe_created_at >= $2::timestamptz - interval '90 days'
                GROUP BY 1, 2, 3) w`,
      [tenantId, now],
    ),
    pool.query<DisputeRow>(
      `SELECT ${DISPUTE_COLUMNS} FROM disputes d
        WHERE d.tenant_id = $1 AND d.status = 'OPEN' AND d.challenge_required_by > $2
        ORDER BY d.challenge_required_by, d.stripe_id LIMIT 5`,
      [tenantId, now],
    ),
  ]);
  const total = (k: 'open' | 'needs' | 'due') => open.rows.reduce((a, r) => a + r[k], 0);
  let won = 0;
  let lost = 0;
  const byReason = new Map<UnifiedReason, number>();
  const weekly = new Map<string, number>();
  for (const r of recent.rows) {
    const outcome = OUTCOME[r.status];
    if (outcome === 'Won') won += r.n;
    if (outcome === 'Lost') lost += r.n;
    byReason.set(r.reason, (byReason.get(r.reason) ?? 0) + r.n);
    const key = `${r.week}|${outcome}`;
    weekly.set(key, (weekly.get(key) ?? 0) + r.n);
  }
  return {
    open: total('open'),
    needsResponse: total('needs'),
    dueWithin72h: total('due'),
    amountAtRisk: open.rows.map((r) => ({ currency: r.currency, amount: r.amount })),
    winRate90d: { won, lost, rate: won + lost > 0 ? won / (won + lost) : null },
    byReason90d: [...byReason]
      .map(([reason, count]) => ({ reason, count }))
      .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason)),
    weekly: [...weekly]
      .map(([key, count]) => {
        const [week, outcome] = key.split('|') as [string, Summary['weekly'][number]['outcome']];
        return { week, outcome, count };
      })
      .sort((a, b) => a.week.localeCompare(b.week) || a.outcome.localeCompare(b.outcome)),
    urgent: urgent.rows.map(toDispute),
  };
}
