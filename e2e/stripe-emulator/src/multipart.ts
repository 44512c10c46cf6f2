// multipart/form-data bodies (file uploads, as stripe-node sends them to /v1/files): fields as
// strings, file parts as { filename, contentType, data }.
export interface FilePart {
  filename: string;
  contentType: string;
  data: Buffer;
}

export function boundaryOf(contentType: string | undefined): string | null {
  const m = /^multipart\/form-data;.*boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '');
  return m ? (m[1] ?? m[2] ?? '').trim() : null;
}

export function parseMultipart(body: Buffer, boundary: string): Record<string, string | FilePart> {
  const out: Record<string, string | FilePart> = {};
  const delimiter = Buffer.from(`--${boundary}`);
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    start += delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break; // closing delimiter
    const next = body.indexOf(delimiter, start);
    if (next === -1) break;
    const part = body.subarray(start + 2, next - 2); // skip CRLF after the delimiter and before the next
    const split = part.indexOf('\r\n\r\n');
    if (split !== -1) {
      const head = part.subarray(0, split).toString('utf8');
      const data = part.subarray(split + 4);
      const name = /name="([^"]*)"/i.exec(head)?.[1];
      const filename = /filename="([^"]*)"/i.exec(head)?.[1];
      const type = /content-type:\s*([^\r\n]+)/i.exec(head)?.[1]?.trim();
      if (name !== undefined) {
        out[name] =
          filename !== undefined
            ? { filename, contentType: type ?? 'application/octet-stream', data: Buffer.from(data) }
            : data.toString('utf8');
      }
    }
    start = next;
  }
  return out;
}
