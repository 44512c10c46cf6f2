// Reporting: report types (with the range their data covers) and report runs, which complete
// a moment later with a CSV File built from the account's data and announce
// reporting.report_run.succeeded.
import { emit, str, type RequestContext } from '../context.ts';
import { invalidInteger, invalidParam, missing } from '../errors.ts';
import { list } from '../list.ts';
import { newId, nowSeconds, type StoredObject } from '../state.ts';
import type { Route } from '../router.ts';
import { buildCsv, checkColumns, REPORT_TYPES, type ReportParams } from '../reports.ts';
import { createFile } from './files.ts';

/** Emulated accounts hold data from 2020-01-01 on; it is complete up to the last full hour. */
export const DATA_AVAILABLE_START = Date.UTC(2020, 0, 1) / 1000;
const dataAvailableEnd = () => Math.floor(nowSeconds() / 3600) * 3600;

function reportType(ctx: RequestContext, id: string) {
  const t = REPORT_TYPES[id];
  if (!t) throw missing('report type', id);
  return {
    id,
    object: 'reporting.report_type',
    data_available_end: dataAvailableEnd(),
    data_available_start: DATA_AVAILABLE_START,
    default_columns: t.defaultColumns,
    livemode: ctx.livemode,
    name: t.name,
    updated: dataAvailableEnd(),
    version: Number(id.split('.').at(-1)),
  };
}

function intParam(p: Record<string, unknown>, name: string): number | undefined {
  if (p[name] === undefined) return undefined;
  const n = Number(p[name]);
  if (!Number.isInteger(n)) throw invalidInteger(`parameters[${name}]`, p[name]);
  return n;
}

function runParams(type: string, raw: unknown): ReportParams {
  const p = (raw ?? {}) as Record<string, unknown>;
  const start = intParam(p, 'interval_start') ?? DATA_AVAILABLE_START;
  const end = intParam(p, 'interval_end') ?? dataAvailableEnd();
  const last = dataAvailableEnd();
  if (start < DATA_AVAILABLE_START || end > last) {
    throw invalidParam(
      'parameters',
      `Data for report type ${type} is only available from ${DATA_AVAILABLE_START} to ${last}; the requested interval (${start} to ${end}) is outside it.`,
      'parameter_invalid_integer',
    );
  }
  if (start >= end) {
    throw invalidParam(
      'parameters[interval_start]',
      'interval_start must be before interval_end.',
      'parameter_invalid_integer',
    );
  }
  const columns = Array.isArray(p.columns) ? p.columns.map((c) => String(c)) : undefined;
  if (columns) checkColumns(type, columns);
  return {
    interval_start: start,
    interval_end: end,
    ...(p.currency !== undefined
      ? { currency: str(p.currency, 'parameters[currency]')!.toLowerCase() }
      : {}),
    ...(p.reporting_category !== undefined
      ? { reporting_category: str(p.reporting_category)! }
      : {}),
    ...(p.payout !== undefined ? { payout: str(p.payout)! } : {}),
    ...(columns ? { columns } : {}),
  };
}

export const reportingRoutes: Route[] = [
  {
    method: 'GET',
    path: '/v1/reporting/report_types',
    handle: (ctx) => ({
      object: 'list',
      data: Object.keys(REPORT_TYPES).map((id) => reportType(ctx, id)),
      has_more: false,
      url: '/v1/reporting/report_types',
    }),
  },
  {
    method: 'GET',
    path: '/v1/reporting/report_types/:id',
    handle: (ctx, { id }) => reportType(ctx, id!),
  },
  {
    method: 'POST',
    path: '/v1/reporting/report_runs',
    handle: (ctx) => {
      const type = str(ctx.params.report_type, 'report_type');
      if (!type)
        throw invalidParam(
          'report_type',
          'Missing required param: report_type.',
          'parameter_missing',
        );
      if (!REPORT_TYPES[type]) {
        throw invalidParam('report_type', `No such report type: '${type}'`, 'resource_missing');
      }
      const params = runParams(type, ctx.params.parameters);
      const run: StoredObject = {
        id: newId('frr'),
        object: 'reporting.report_run',
        created: nowSeconds(),
        error: null,
        livemode: ctx.livemode,
        parameters: params,
        report_type: type,
        result: null,
        status: 'pending',
        succeeded_at: null,
      };
      ctx.state.insert(ctx.account, 'report_run', run);
      setTimeout(() => {
        try {
          const contents = buildCsv(ctx.state, ctx.account, type, params);
          run.result = createFile(ctx, {
            purpose: 'finance_report_run',
            filename: `${run.id}.csv`,
            title: `${type} report run ${run.id}`,
            type: 'csv',
            contents,
          });
          run.status = 'succeeded';
          run.succeeded_at = nowSeconds();
          emit(ctx, 'reporting.report_run.succeeded', run);
        } catch (err) {
          run.status = 'failed';
          run.error = (err as Error).message;
          emit(ctx, 'reporting.report_run.failed', run);
        }
      }, ctx.state.settings.reportDelayMs).unref();
      return run;
    },
  },
  {
    method: 'GET',
    path: '/v1/reporting/report_runs/:id',
    handle: (ctx, { id }) => {
      const run = ctx.state.get(ctx.account, 'report_run', id!);
      if (!run) throw missing('report run', id!);
      return run;
    },
  },
  {
    method: 'GET',
    path: '/v1/reporting/report_runs',
    handle: (ctx) =>
      list(ctx.state, ctx.account, 'report_run', ctx.params, {
        url: '/v1/reporting/report_runs',
        kind: 'reporting.report_run',
      }),
  },
];
