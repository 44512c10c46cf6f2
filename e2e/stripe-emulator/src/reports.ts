// The CSV behind each emulated report type, built from the account's balance transactions with
// Stripe's column names: amounts in major units ("12.34"), times in UTC ("2026-11-21 13:45:00").
import { invalidParam } from './errors.ts';
import type { Account, EmulatorState, StoredObject } from './state.ts';

const ZERO_DECIMAL = new Set(['jpy', 'krw', 'vnd', 'clp', 'isk', 'ugx', 'xaf', 'xof']);

export const major = (minor: number, currency: string) =>
  ZERO_DECIMAL.has(currency) ? String(minor) : (minor / 100).toFixed(2);

export const utc = (seconds: number) =>
  new Date(seconds * 1000).toISOString().slice(0, 19).replace('T', ' ');

export interface ReportParams {
  interval_start: number;
  interval_end: number;
  currency?: string;
  reporting_category?: string;
  payout?: string;
  columns?: string[];
}

type Row = Record<string, string | number | null>;

interface ReportType {
  name: string;
  defaultColumns: string[];
  /** Optional columns beyond the defaults. */
  extraColumns?: string[];
  rows(state: EmulatorState, account: Account, p: ReportParams): Row[];
}

function transactions(state: EmulatorState, account: Account, p: ReportParams) {
  const out: StoredObject[] = [];
  for (const t of state.newestFirst(account, 'balance_transaction')) {
    if (t.created < p.interval_start || t.created >= p.interval_end) continue;
    if (p.currency && t.currency !== p.currency) continue;
    if (p.reporting_category && t.reporting_category !== p.reporting_category) continue;
    out.push(t);
  }
  return out.reverse(); // oldest first, as Stripe's CSVs are
}

function activityRow(state: EmulatorState, account: Account, t: StoredObject): Row {
  const currency = t.currency as string;
  const source = t.source as string;
  const charge = source.startsWith('ch_')
    ? state.get(account, 'charge', source)
    : source.startsWith('re_')
      ? state.get(account, 'charge', state.get(account, 'refund', source)?.charge as string)
      : source.startsWith('du_')
        ? state.get(account, 'charge', state.get(account, 'dispute', source)?.charge as string)
        : undefined;
  const card = (charge?.payment_method_details as { card?: Record<string, string> } | undefined)
    ?.card;
  const dispute = source.startsWith('du_') ? state.get(account, 'dispute', source) : undefined;
  return {
    balance_transaction_id: t.id,
    created_utc: utc(t.created),
    created: utc(t.created),
    available_on_utc: utc(t.available_on as number),
    available_on: utc(t.available_on as number),
    currency,
    gross: major(t.amount as number, currency),
    fee: major(t.fee as number, currency),
    net: major(t.net as number, currency),
    reporting_category: t.reporting_category as string,
    source_id: source,
    description: (t.description as string | null) ?? '',
    customer_facing_amount: charge ? major(charge.amount as number, currency) : '',
    customer_facing_currency: charge ? currency : '',
    customer_id: (charge?.customer as string | null) ?? '',
    charge_id: charge?.id ?? '',
    payment_intent_id: (charge?.payment_intent as string | null) ?? '',
    charge_created_utc: charge ? utc(charge.created) : '',
    card_brand: card?.brand ?? '',
    card_funding: card?.funding ?? '',
    card_country: card?.country ?? '',
    dispute_reason: (dispute?.reason as string | undefined) ?? '',
    payout_id: t.type === 'payout' ? source : '',
    automatic_payout_id: '',
    automatic_payout_effective_at_utc: '',
  };
}

const ACTIVITY_COLUMNS = [
  'balance_transaction_id',
  'created_utc',
  'available_on_utc',
  'currency',
  'gross',
  'fee',
  'net',
  'reporting_category',
  'source_id',
  'description',
  'customer_facing_amount',
  'customer_facing_currency',
  'customer_id',
  'charge_id',
  'payment_intent_id',
  'charge_created_utc',
  'card_brand',
  'card_funding',
  'card_country',
  'dispute_reason',
];

const ACTIVITY_EXTRA = ['created', 'available_on', 'payout_id'];

const isPayout = (t: StoredObject) =>
  t.reporting_category === 'payout' || t.reporting_category === 'payout_reversal';

export const REPORT_TYPES: Record<string, ReportType> = {
  'balance.summary.1': {
    name: 'Balance summary',
    defaultColumns: ['category', 'description', 'net_amount', 'currency'],
    rows(state, account, p) {
      const before = new Map<string, number>();
      const activity = new Map<string, number>();
      const payouts = new Map<string, number>();
      for (const t of state.newestFirst(account, 'balance_transaction')) {
        const c = t.currency as string;
        if (p.currency && c !== p.currency) continue;
        const into =
          t.created < p.interval_start
            ? before
            : t.created < p.interval_end
              ? isPayout(t)
                ? payouts
                : activity
              : null;
        for (const m of [before, activity, payouts]) if (!m.has(c)) m.set(c, 0);
        if (into) into.set(c, into.get(c)! + (t.net as number));
      }
      const rows: Row[] = [];
      for (const c of [...before.keys()].sort()) {
        const start = before.get(c)!;
        const act = activity.get(c)!;
        const out = payouts.get(c)!;
        rows.push(
          {
            category: 'starting_balance',
            description: 'Starting balance',
            net_amount: major(start, c),
            currency: c,
          },
          { category: 'activity', description: 'Activity', net_amount: major(act, c), currency: c },
          { category: 'payouts', description: 'Payouts', net_amount: major(out, c), currency: c },
          {
            category: 'ending_balance',
            description: 'Ending balance',
            net_amount: major(start + act + out, c),
            currency: c,
          },
        );
      }
      return rows;
    },
  },
  'balance_change_from_activity.itemized.3': {
    name: 'Balance change from activity (itemized)',
    defaultColumns: ACTIVITY_COLUMNS,
    extraColumns: ACTIVITY_EXTRA,
    rows: (state, account, p) =>
      transactions(state, account, p)
        .filter((t) => !isPayout(t))
        .map((t) => activityRow(state, account, t)),
  },
  'ending_balance_reconciliation.itemized.4': {
    name: 'Ending balance reconciliation (itemized)',
    defaultColumns: ACTIVITY_COLUMNS,
    extraColumns: ACTIVITY_EXTRA,
    rows: (state, account, p) =>
      transactions(state, account, p)
        .filter((t) => !isPayout(t))
        .map((t) => activityRow(state, account, t)),
  },
  'payout_reconciliation.itemized.5': {
    name: 'Payout reconciliation (itemized)',
    defaultColumns: [
      'automatic_payout_id',
      'automatic_payout_effective_at_utc',
      ...ACTIVITY_COLUMNS,
    ],
    extraColumns: ACTIVITY_EXTRA,
    rows: (state, account, p) =>
      transactions(state, account, p)
        .filter((t) => !isPayout(t))
        .map((t) => activityRow(state, account, t)),
  },
  'payouts.itemized.3': {
    name: 'Payouts (itemized)',
    defaultColumns: [
      'payout_id',
      'effective_at_utc',
      'currency',
      'gross',
      'fee',
      'net',
      'reporting_category',
      'balance_transaction_id',
      'description',
      'payout_expected_arrival_date',
      'payout_status',
      'payout_type',
      'payout_destination_id',
    ],
    extraColumns: ['effective_at'],
    rows: (state, account, p) =>
      transactions(state, account, p)
        .filter((t) => t.reporting_category === 'payout')
        .map((t) => {
          const payout = state.get(account, 'payout', t.source as string);
          const c = t.currency as string;
          return {
            payout_id: t.source as string,
            effective_at_utc: utc(t.created),
            effective_at: utc(t.created),
            currency: c,
            gross: major(-(t.amount as number), c),
            fee: major(t.fee as number, c),
            net: major(-(t.net as number), c),
            reporting_category: 'payout',
            balance_transaction_id: t.id,
            description: (t.description as string | null) ?? '',
            payout_expected_arrival_date: payout
              ? utc(payout.arrival_date as number).slice(0, 10)
              : '',
            payout_status: (payout?.status as string | undefined) ?? '',
            payout_type: (payout?.type as string | undefined) ?? 'bank_account',
            payout_destination_id: (payout?.destination as string | undefined) ?? '',
          };
        }),
  },
};

const cell = (v: string | number | null) => {
  const s = v === null ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

export function buildCsv(
  state: EmulatorState,
  account: Account,
  type: string,
  p: ReportParams,
): Buffer {
  const report = REPORT_TYPES[type]!;
  const columns = p.columns ?? report.defaultColumns;
  const rows = report.rows(state, account, p);
  const lines = [columns.join(',')];
  for (const r of rows) lines.push(columns.map((c) => cell(r[c] ?? '')).join(','));
  return Buffer.from(`${lines.join('\n')}\n`);
}

/** 400 for a column the report type does not have. */
export function checkColumns(type: string, columns: string[]) {
  const report = REPORT_TYPES[type]!;
  const known = new Set([...report.defaultColumns, ...(report.extraColumns ?? [])]);
  for (const c of columns) {
    if (!known.has(c)) {
      throw invalidParam('parameters[columns]', `Invalid column for report type ${type}: ${c}`);
    }
  }
}
