// Connection health as the overview and drawer phrase it.
import type { Status } from '@disputedesk/contract';
import { ago, dateTime, label } from '../format';

export interface ConnectionModel {
  connected: boolean;
  /** Installed, the connection still being set up. */
  pending: boolean;
  /** It was connected once: reconnecting, not connecting, is the way back. */
  disconnected: boolean;
  headline: string;
  detail: string | null;
  installUrl: string;
  lastWebhook: string;
  events24h: number;
  signatureFailures24h: number;
  backfill: {
    status: string;
    percent: number;
    objects: number;
    error: string | null;
    resources: Array<{ name: string; objects: number; percent: number; text: string }>;
  };
  reports: string;
}

const STATES: Record<Status['connection']['status'], string> = {
  not_connected: 'Not connected',
  pending: 'Waiting for the install to finish',
  active: 'Connected',
  paused: 'Paused by support',
  disconnected: 'Disconnected',
  purged: 'Disconnected (data removed)',
};

export function connectionModel(s: Status, now: number, locale = 'en-US'): ConnectionModel {
  const c = s.connection;
  const mode = c.livemode ? 'live mode' : 'test mode';
  return {
    connected: c.status === 'active' || c.status === 'paused',
    pending: c.status === 'pending',
    disconnected: c.status === 'disconnected' || c.status === 'purged',
    headline: `${STATES[c.status]} · ${mode}`,
    detail:
      c.statusReason ??
      (c.connectedAt
        ? `Since ${dateTime(c.connectedAt, locale)} UTC${c.connectionType ? ` (${label(c.connectionType)})` : ''}`
        : null),
    installUrl: c.installUrl,
    lastWebhook: ago(s.webhooks.lastReceivedAt, now),
    events24h: s.webhooks.events24h,
    signatureFailures24h: s.webhooks.signatureFailures24h,
    backfill: {
      status: label(s.backfill.status),
      percent: s.backfill.percent,
      objects: s.backfill.objects,
      error: s.backfill.error,
      resources: s.backfill.resources.map((r) => {
        const pct = r.windowsTotal ? Math.floor((r.windowsDone / r.windowsTotal) * 100) : 0;
        const of =
          r.estimatedTotal !== null && r.estimatedTotal !== r.objects
            ? ` of ~${r.estimatedTotal}`
            : '';
        return {
          name: label(r.resource),
          objects: r.objects,
          percent: pct,
          text: r.notPermitted
            ? `skipped: Stripe did not allow this list (${r.notPermitted})`
            : `${r.objects}${of} · ${pct} %${r.failed ? ` · ${r.failed} failed` : ''}`,
        };
      }),
    },
    reports:
      s.reports.total === 0
        ? 'No reports yet'
        : `${s.reports.ingested} of ${s.reports.total} ingested${s.reports.pending ? `, ${s.reports.pending} in progress` : ''}${s.reports.failed ? `, ${s.reports.failed} failed` : ''}${s.reports.lastIngestedAt ? ` · last ${ago(s.reports.lastIngestedAt, now)}` : ''}`,
  };
}
