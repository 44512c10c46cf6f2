// The deadline pass (a maintenance job every DEADLINE_CHECK_INTERVAL_MS): reminders 72 h and
// 24 h before an open dispute's response is due — once each, as DISPUTE.DEADLINE notifications —
// and, for tenants that turned it on, automatic submission of drafts that are complete enough
// `hoursBefore` the deadline. Never accepts a dispute. Idempotent: reminders are recorded once
// (a unique row per dispute and kind), and a dispute gets at most one automatic attempt.
import { sendRatioAlerts } from '../../analytics/ratio-alerts.ts';
import { AppError } from '../../errors.ts';
import { offerDeliveries } from '../../notifications/offer-deliveries.ts';
import { queueDisputeEvent } from '../../notifications/queue-dispute-event.ts';
import { withTransaction } from '../../db.ts';
import { getDraftView } from './draft-view.ts';
import type { EvidenceDeps } from './run-dispute-action.ts';
import { submitEvidence } from './submit-evidence.ts';

const AUTOMATIC = { type: 'automatic' as const, id: null, name: 'automatic submission' };

export async function sendDeadlineReminders(deps: EvidenceDeps): Promise<number> {
  const notifications = await withTransaction(deps.pool, async (db) => {
    const { rows } = await db.query<{ tenant_id: string; dispute_id: string; hours: number }>(
      `WITH due AS (
         INSERT INTO dispute_reminders (tenant_id, dispute_id, kind)
         SELECT d.tenant_id, d.stripe_id, k.kind
           FROM disputes d
           JOIN tenants t ON t.id = d.tenant_id AND t.status = 'active'
           CROSS JOIN (VALUES ('72h', 72), ('24h', 24)) AS k(kind, hours)
          WHERE d.status = 'OPEN' AND d.evidence_submissions = 0
            AND d.challenge_required_by > now()
            AND d.challenge_required_by <= now() + make_interval(hours => k.hours)
         ON CONFLICT DO NOTHING
         RETURNING tenant_id, dispute_id, kind)
       SELECT tenant_id, dispute_id, min(CASE kind WHEN '24h' THEN 24 ELSE 72 END)::int AS hours
         FROM due GROUP BY tenant_id, dispute_id ORDER BY tenant_id, dispute_id`,
    );
    const ids: string[] = [];
    // A dispute entering both windows at once gets one reminder: the more urgent.
    for (const r of rows) {
      ids.push(
        ...(await queueDisputeEvent(db, r.tenant_id, r.dispute_id, 'DISPUTE.DEADLINE', {
          reminder: `${r.hours}h`,
        })),
      );
    }
    return { ids, reminded: rows.length };
  });
  await offerDeliveries(deps.queues, notifications.ids, deps.logger);
  return notifications.reminded;
}

export async function autoSubmitDrafts(
  deps: EvidenceDeps,
): Promise<{ submitted: number; skipped: number }> {
  const { rows } = await deps.pool.query<{ tenant_id: string; dispute_id: string; min: number }>(
    `SELECT d.tenant_id, d.stripe_id AS dispute_id, s.min_completeness AS min
       FROM evidence_settings s
       JOIN tenants t ON t.id = s.tenant_id AND t.status = 'active'
       JOIN disputes d ON d.tenant_id = s.tenant_id AND d.status = 'OPEN' AND d.evidence_submissions = 0
        AND d.challenge_required_by > now()
        AND d.challenge_required_by <= now() + make_interval(hours => s.hours_before)
       JOIN evidence_drafts e ON e.tenant_id = d.tenant_id AND e.dispute_id = d.stripe_id
        AND e.state IN ('draft', 'saved')
      WHERE s.auto_submit
        AND NOT EXISTS (SELECT 1 FROM dispute_actions a WHERE a.tenant_id = d.tenant_id
                          AND a.dispute_id = d.stripe_id AND a.actor_type = 'automatic')`,
  );
  let submitted = 0;
  let skipped = 0;
  for (const r of rows) {
    const view = await getDraftView(deps.pool, r.tenant_id, r.dispute_id);
    const { completeness, missingRequired } = view.checklist;
    const ready =
      completeness >= r.min && missingRequired.length === 0 && view.type !== 'COMPLIANCE';
    if (!ready) {
      skipped++;
      await deps.pool.query(
        `INSERT INTO dispute_actions (tenant_id, dispute_id, action, actor_type, actor_name,
                                      draft_version, idempotency_key, status, error, finished_at)
         VALUES ($1, $2, 'submit', 'automatic', $3, $4, '-', 'skipped', $5, now())`,
        [
          r.tenant_id,
          r.dispute_id,
          AUTOMATIC.name,
          view.version,
          view.type === 'COMPLIANCE'
            ? 'compliance disputes need the merchant’s fee acknowledgement'
            : `completeness ${completeness} % (needs ${r.min} %)${missingRequired.length ? `, empty: ${missingRequired.join(', ')}` : ''}`,
        ],
      );
      continue;
    }
    try {
      await submitEvidence(
        deps,
        r.tenant_id,
        r.dispute_id,
        { version: view.version, confirm: r.dispute_id },
        AUTOMATIC,
      );
      submitted++;
    } catch (err) {
      // Recorded as a failed action by runDisputeAction (or refused before it): logged, not retried.
      if (!(err instanceof AppError)) throw err;
      deps.logger.warn({ err, disputeId: r.dispute_id }, 'automatic submission refused');
      // Refused before reaching Stripe (no action row yet): record it, so it is tried once.
      await deps.pool.query(
        `INSERT INTO dispute_actions (tenant_id, dispute_id, action, actor_type, actor_name,
                                      draft_version, idempotency_key, status, error, finished_at)
         SELECT $1, $2, 'submit', 'automatic', $3, $4, '-', 'failed', $5, now()
          WHERE NOT EXISTS (SELECT 1 FROM dispute_actions WHERE tenant_id = $1 AND dispute_id = $2
                              AND actor_type = 'automatic')`,
        [r.tenant_id, r.dispute_id, AUTOMATIC.name, view.version, err.message.slice(0, 1000)],
      );
    }
  }
  return { submitted, skipped };
}

export async function checkDeadlines(deps: EvidenceDeps & { deadlineIntervalMs?: number }) {
  const reminded = await sendDeadlineReminders(deps);
  const auto = await autoSubmitDrafts(deps);
  // Tenants with a dispute or warning since the last passes (three intervals, for a late pass).
  const ratioAlerts = await sendRatioAlerts(deps, {
    sinceMs: deps.deadlineIntervalMs ? 3 * deps.deadlineIntervalMs : undefined,
  });
  return { reminded, ...auto, ratioAlerts };
}
