// The report file reader and converters: RFC 4180 records across chunk boundaries, exact amounts
// in minor units, UTC times, and the row errors a malformed file produces.
import { describe, expect, it } from 'vitest';
import { csvRecords } from '../src/reports/csv-records.ts';
import { minorUnits, rowConverter, RowError, utcTime } from '../src/reports/report-types.ts';

async function records(chunks: string[]) {
  const out: string[][] = [];
  // Arrays are async-iterable enough for the reader: for await takes plain iterables too.
  for await (const r of csvRecords(chunks as unknown as AsyncIterable<string>)) out.push(r);
  return out;
}

describe('csvRecords', () => {
  it('reads plain, quoted, multi-line and CRLF records split anywhere across chunks', async () => {
    const text = 'a,b,c\r\n1,"x, y",3\n2,"say ""hi""",4\n3,"two\nlines",5\n\n4,,6';
    const expected = [
      ['a', 'b', 'c'],
      ['1', 'x, y', '3'],
      ['2', 'say "hi"', '4'],
      ['3', 'two\nlines', '5'],
      ['4', '', '6'],
    ];
    expect(await records([text])).toEqual(expected);
    for (let cut = 1; cut < text.length; cut++) {
      expect(await records([text.slice(0, cut), text.slice(cut)]), `cut at ${cut}`).toEqual(
        expected,
      );
    }
    expect(await records(['\ufeffa,b\n1,2\n'])).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });

  it('finds a quoted record after many plain ones in the same chunk, and plain ones after it', async () => {
    const plain = Array.from({ length: 50 }, (_, i) => `${i},p,${i}`);
    const text = `a,b,c\n${plain.join('\n')}\n51,"q,uoted",51\n${plain.join('\n')}\n52,"x""y",52\n`;
    const got = await records([text]);
    expect(got).toHaveLength(103);
    expect(got[51]).toEqual(['51', 'q,uoted', '51']);
    expect(got[52]).toEqual(['0', 'p', '0']);
    expect(got[102]).toEqual(['52', 'x"y', '52']);
  });

  it('refuses a file that ends inside a quoted field', async () => {
    await expect(records(['a,b\n1,"open'])).rejects.toThrow('ends inside a quoted field');
  });
});

describe('converters', () => {
  it('turns major units into exact minor units', () => {
    const exact: Array<[string, string, string | null]> = [
      ['12.34', 'usd', '1234'],
      ['-0.50', 'usd', '-50'],
      ['7', 'usd', '700'],
      ['0.00', 'usd', '0'],
      ['1500', 'jpy', '1500'],
      ['92233720368547758.07', 'usd', '9223372036854775807'],
      ['', 'usd', null],
      // Leading zeros, zeros past the currency's decimals, spaces around, a negative zero.
      ['00012.30', 'usd', '1230'],
      ['1.230', 'usd', '123'],
      [' 3.10 ', 'usd', '310'],
      ['-0', 'usd', '0'],
      ['-5.1', 'usd', '-510'],
      ['1500.00', 'jpy', '1500'],
    ];
    for (const [value, currency, minor] of exact) {
      expect(minorUnits(value, currency, 'gross'), `${value} ${currency}`).toBe(minor);
    }
    expect(() => minorUnits('1.234', 'usd', 'gross')).toThrow(RowError);
    expect(() => minorUnits('1500.5', 'jpy', 'gross')).toThrow('more decimals than jpy');
    for (const bad of ['12,34', '-', '.5', '5.', '+1', '--1', '1.2.3', '1e5', '١٢']) {
      expect(() => minorUnits(bad, 'usd', 'fee'), bad).toThrow('fee is not an amount');
    }
  });

  it('reads Stripe times as UTC and refuses anything else', () => {
    expect(utcTime('2026-11-21 13:45:00', 'created_utc')).toBe('2026-11-21 13:45:00+00');
    expect(utcTime('2026-11-21', 'd')).toBe('2026-11-21+00');
    expect(utcTime('2026-11-21T13:45:00Z', 'd')).toBe('2026-11-21T13:45:00Z');
    expect(() => utcTime('21/11/2026', 'created_utc')).toThrow('created_utc is not a time');
  });

  it('makes COPY lines with typed columns and the rest as JSON, escaped', () => {
    const convert = rowConverter([
      'balance_transaction_id',
      'created_utc',
      'currency',
      'gross',
      'fee',
      'net',
      'reporting_category',
      'description',
    ]);
    const line = convert(
      [
        'txn_1',
        '2026-01-01 00:00:00',
        'USD',
        '10.00',
        '0.59',
        '9.41',
        'charge',
        'Tab\there \\ and "quotes"',
      ],
      7,
    );
    const cols = line.split('\t');
    expect(cols.slice(0, 8)).toEqual([
      '7',
      'txn_1',
      '\\N',
      '\\N',
      '2026-01-01 00:00:00+00',
      '\\N',
      '\\N',
      'usd',
    ]);
    expect(cols.slice(8, 13)).toEqual(['1000', '59', '941', 'charge', '\\N']);
    expect(line).toContain('\\\\t');
    // The JSON column as Postgres reads it back (COPY unescapes \\ to \).
    expect(JSON.parse(cols[13]!.replaceAll('\\\\', '\\'))).toEqual({
      description: 'Tab\there \\ and "quotes"',
    });
    expect(convert(['txn_2', '', '', '', '', '', '', ''], 9).split('\t')[13]).toBe('{}');
    expect(() => convert(['txn_1', '2026-01-01 00:00:00'], 8)).toThrow(
      'has 2 columns, the header has 8',
    );
  });
});
