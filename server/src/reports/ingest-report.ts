// Ingests a succeeded report run: the file is downloaded with the tenant's own credentials as a
// stream, read record by record, and copied into report_rows with COPY — all in one transaction
// that first removes any rows of an earlier attempt, so a retry is idempotent and a malformed
// file (the error names its row) leaves no partial rows. Memory stays flat whatever the size.
import { once } from 'node:events';
import { from as copyFrom } from 'pg-copy-streams';
import { withTransaction, type Pool } from '../db.ts';
import type { Logger } from '../logger.ts';
import { CsvError, csvRecords } from './csv-records.ts';
import { rowConverter, RowError } from './report-types.ts';

export interface FileAccess {
  url: string;
  /** The tenant's credential: the file is readable with the same key as the account's API. */
  headers: Record<string, string>;
}

export class MalformedReport extends Error {}

const COLUMNS =
  'row_number, balance_transaction_id, source_id, payout_id, created_at, available_on, effective_at, currency, gross, fee, net, reporting_category, category, extra';

/** Streams the file's records into the COPY, 64 KiB at a time; returns the rows written. */
async function writeRows(
  body: ReadableStream<Uint8Array>,
  prefix: string,
  copy: NodeJS.WritableStream,
): Promise<number> {
  let convert: ((r: string[], n: number) => string) | null = null;
  let chunk = '';
  let rows = 0;
  for await (const record of csvRecords(body)) {
    if (!convert) {
      convert = rowConverter(record);
      continue;
    }
    rows++;
    try {
      chunk += `${prefix}${convert(record, rows)}\n`;
    } catch (err) {
      if (err instanceof RowError) throw new MalformedReport(`row ${rows}: ${err.message}`);
      throw err;
    }
    if (chunk.length >= 1 << 16) {
      if (!copy.write(chunk)) await once(copy, 'drain');
      chunk = '';
    }
  }
  copy.end(chunk);
  return rows;
}

export async function ingestReportFile(
  deps: { pool: Pool; logger: Logger },
  run: { id: string; tenantId: string; reportType: string },
  file: FileAccess,
): Promise<{ rows: number }> {
  const res = await fetch(file.url, { headers: file.headers });
  if (!res.ok || !res.body) throw new Error(`downloading the report file answered ${res.status}`);
  // The same for every row of the file (a report type never holds tabs or backslashes).
  const prefix = `${run.tenantId}\t${run.id}\t${run.reportType}\t`;
  const rows = await withTransaction(deps.pool, async (client) => {
    await client.query('DELETE FROM report_rows WHERE report_run_id = $1', [run.id]);
    const copy = client.query(
      copyFrom(`COPY report_rows (tenant_id, report_run_id, report_type, ${COLUMNS}) FROM STDIN`),
    );
    const done = once(copy, 'finish');
    try {
      const n = await writeRows(res.body!, prefix, copy);
      await done;
      return n;
    } catch (err) {
      // Abort the COPY (Postgres answers "canceled", which is expected here).
      copy.on('error', () => undefined);
      done.catch(() => undefined);
      copy.destroy(err as Error);
      if (err instanceof CsvError) throw new MalformedReport(`row ${err.record}: ${err.message}`);
      throw err;
    }
  });
  deps.logger.info({ runId: run.id, reportType: run.reportType, rows }, 'report ingested');
  return { rows };
}
