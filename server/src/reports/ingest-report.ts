// Ingests a succeeded report run: the file is downloaded with the tenant's own credentials as a
// stream, parsed as a stream, and inserted in batches of typed rows — all in one transaction that
// first removes any rows of an earlier attempt, so a retry is idempotent and a malformed file
// (the error names its row) leaves no partial rows. Memory stays flat whatever the file's size.
import { pipeline, Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { parse } from 'csv-parse';
import type { Pool } from '../db.ts';
import type { Logger } from '../logger.ts';
import { RowError, typedRow, type TypedRow } from './report-types.ts';

const BATCH = 5000;

const INSERT_SQL = `
  INSERT INTO report_rows (tenant_id, report_run_id, report_type, row_number, balance_transaction_id, source_id,
                           payout_id, created_at, available_on, effective_at, currency, gross, fee, net,
                           reporting_category, category, extra)
  SELECT $1::uuid, $2::uuid, $3, * FROM unnest($4::int[], $5::text[], $6::text[], $7::text[], $8::timestamptz[],
         $9::timestamptz[], $10::timestamptz[], $11::text[], $12::int8[], $13::int8[], $14::int8[], $15::text[],
         $16::text[], $17::jsonb[])`;

export interface FileAccess {
  url: string;
  /** The tenant's credential: the file is readable with the same key as the account's API. */
  headers: Record<string, string>;
}

export class MalformedReport extends Error {}

export async function ingestReportFile(
  deps: { pool: Pool; logger: Logger },
  run: { id: string; tenantId: string; reportType: string },
  file: FileAccess,
): Promise<{ rows: number }> {
  const res = await fetch(file.url, { headers: file.headers });
  if (!res.ok || !res.body) throw new Error(`downloading the report file answered ${res.status}`);
  const parser = parse({
    columns: true,
    skip_empty_lines: true,
    relax_column_count: false,
    bom: true,
  });
  // Errors of either end surface through the parser's iterator below.
  pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), parser, () => undefined);
  const client = await deps.pool.connect();
  let rows = 0;
  try {
    await client.query('BEGIN');
    await client.query('DELETE FROM report_rows WHERE report_run_id = $1', [run.id]);
    let batch: Array<TypedRow & { n: number }> = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const b = batch;
      batch = [];
      await client.query(INSERT_SQL, [
        run.tenantId,
        run.id,
        run.reportType,
        b.map((r) => r.n),
        b.map((r) => r.balanceTransactionId),
        b.map((r) => r.sourceId),
        b.map((r) => r.payoutId),
        b.map((r) => r.createdAt),
        b.map((r) => r.availableOn),
        b.map((r) => r.effectiveAt),
        b.map((r) => r.currency),
        b.map((r) => r.gross?.toString() ?? null),
        b.map((r) => r.fee?.toString() ?? null),
        b.map((r) => r.net?.toString() ?? null),
        b.map((r) => r.reportingCategory),
        b.map((r) => r.category),
        b.map((r) => JSON.stringify(r.extra)),
      ]);
    };
    try {
      for await (const record of parser as AsyncIterable<Record<string, string>>) {
        rows++;
        try {
          batch.push({ ...typedRow(record), n: rows });
        } catch (err) {
          if (err instanceof RowError) throw new MalformedReport(`row ${rows}: ${err.message}`);
          throw err;
        }
        if (batch.length >= BATCH) await flush();
      }
    } catch (err) {
      if (err instanceof MalformedReport) throw err;
      const code = (err as { code?: string }).code;
      if (code?.startsWith('CSV_')) {
        const line = (err as { lines?: number }).lines;
        throw new MalformedReport(`row ${line ? line - 1 : rows + 1}: ${(err as Error).message}`);
      }
      throw err;
    }
    await flush();
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    parser.destroy();
    throw err;
  } finally {
    client.release();
  }
  deps.logger.info({ runId: run.id, reportType: run.reportType, rows }, 'report ingested');
  return { rows };
}
