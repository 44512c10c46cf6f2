// A streaming CSV reader (RFC 4180: quoted fields, doubled quotes, CRLF) that yields each record
// as an array of strings. Lines without quotes take a fast path (split on commas); memory holds
// one chunk and one partial record at most.
export class CsvError extends Error {
  constructor(
    message: string,
    readonly record: number,
  ) {
    super(message);
  }
}

export async function* csvRecords(
  chunks: AsyncIterable<Uint8Array | string>,
): AsyncGenerator<string[]> {
  const decoder = new TextDecoder('utf-8');
  let buffer = '';
  let record = 0;
  let first = true;
  for await (const chunk of chunks) {
    buffer += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    if (first && buffer.charCodeAt(0) === 0xfeff) buffer = buffer.slice(1);
    first = false;
    let start = 0;
    // The next quote at or after `start`, or -1 when the rest of the buffer holds none: searched
    // again only once `start` has passed it, so a chunk without quotes is scanned once, not once
    // per line.
    let quote = buffer.indexOf('"');
    for (;;) {
      const nl = buffer.indexOf('\n', start);
      if (nl < 0) break;
      if (quote >= 0 && quote < start) quote = buffer.indexOf('"', start);
      if (quote >= 0 && quote < nl) {
        // Slow path: a quoted field, possibly spanning lines.
        const parsed = parseQuoted(buffer, start);
        if (!parsed) break; // the record continues in the next chunk
        record++;
        if (parsed.fields.length > 1 || parsed.fields[0] !== '') yield parsed.fields;
        start = parsed.next;
        continue;
      }
      let line = buffer.slice(start, nl);
      if (line.endsWith('\r')) line = line.slice(0, -1);
      start = nl + 1;
      if (line === '') continue;
      record++;
      yield line.split(',');
    }
    buffer = buffer.slice(start);
  }
  buffer += decoder.decode();
  if (buffer.trim() !== '') {
    const parsed = parseQuoted(`${buffer}\n`, 0);
    if (!parsed) throw new CsvError('the file ends inside a quoted field', record + 1);
    yield parsed.fields;
  }
}

/** One record from `s` at `at`, or null when it is not complete in `s`. */
function parseQuoted(s: string, at: number): { fields: string[]; next: number } | null {
  const fields: string[] = [];
  let i = at;
  let field = '';
  for (;;) {
    if (i >= s.length) return null;
    if (s[i] === '"') {
      i++;
      for (;;) {
        const q = s.indexOf('"', i);
        if (q < 0) return null;
        field += s.slice(i, q);
        if (s[q + 1] === '"') {
          field += '"';
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
    }
    // Unquoted remainder of the field (or the whole field).
    let j = i;
    while (j < s.length && s[j] !== ',' && s[j] !== '\n') j++;
    if (j >= s.length) return null;
    field += s.slice(i, j).replace(/\r$/, '');
    fields.push(field);
    field = '';
    if (s[j] === '\n') return { fields, next: j + 1 };
    i = j + 1;
  }
}
