// Files: what report runs produce. The object's `url` points at the emulator and the contents are
// served only to a key of the same account (as files.stripe.com does).
import type { RequestContext } from '../context.ts';
import { invalidParam, missing } from '../errors.ts';
import type { FilePart } from '../multipart.ts';
import { list } from '../list.ts';
import { newId, nowSeconds, type StoredObject } from '../state.ts';
import type { Route } from '../router.ts';

const RESOURCE = 'file';

/** A non-JSON answer from a route (file contents). */
export class RawBody {
  constructor(
    readonly contentType: string,
    readonly body: Buffer,
  ) {}
}

export function createFile(
  ctx: RequestContext,
  opts: { purpose: string; filename: string; type: string; contents: Buffer; title?: string },
): StoredObject {
  const id = newId('file');
  const created = nowSeconds();
  const file: StoredObject = {
    id,
    object: 'file',
    created,
    expires_at: created + 365 * 86400,
    filename: opts.filename,
    links: { object: 'list', data: [], has_more: false, url: `/v1/file_links?file=${id}` },
    purpose: opts.purpose,
    size: opts.contents.length,
    title: opts.title ?? null,
    type: opts.type,
    url: `${ctx.state.baseUrl}/v1/files/${id}/contents`,
  };
  Object.defineProperty(file, 'contents', { value: opts.contents, enumerable: false });
  return ctx.state.insert(ctx.account, RESOURCE, file);
}

function find(ctx: RequestContext, id: string) {
  const f = ctx.state.get(ctx.account, RESOURCE, id);
  if (!f) throw missing('file', id);
  return f;
}

/** What Stripe takes per purpose: dispute evidence is PDF, JPEG or PNG of at most 5 MB. */
const UPLOAD_RULES: Record<string, { types: Record<string, string>; maxBytes: number }> = {
  dispute_evidence: {
    types: { 'application/pdf': 'pdf', 'image/jpeg': 'jpg', 'image/png': 'png' },
    maxBytes: 5 * 1024 * 1024,
  },
  identity_document: {
    types: { 'application/pdf': 'pdf', 'image/jpeg': 'jpg', 'image/png': 'png' },
    maxBytes: 10 * 1024 * 1024,
  },
};

/** The type a file's bytes say it is (Stripe looks at the content, not the name). */
function sniff(data: Buffer): string | null {
  if (data.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  if (data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  if (data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return 'image/png';
  return null;
}

function upload(ctx: RequestContext): StoredObject {
  const purpose = typeof ctx.params.purpose === 'string' ? ctx.params.purpose : '';
  const rules = UPLOAD_RULES[purpose];
  if (!purpose)
    throw invalidParam('purpose', 'Missing required param: purpose.', 'parameter_missing');
  if (!rules) {
    throw invalidParam(
      'purpose',
      `Invalid purpose: ${purpose}. Uploads here support ${Object.keys(UPLOAD_RULES).join(', ')}.`,
    );
  }
  const file = ctx.params.file as FilePart | string | undefined;
  if (!file || typeof file === 'string') {
    throw invalidParam(
      'file',
      'Missing required param: file (a multipart file part).',
      'parameter_missing',
    );
  }
  if (file.data.length > rules.maxBytes) {
    throw invalidParam(
      'file',
      `The file is ${file.data.length} bytes; files for ${purpose} may be at most ${rules.maxBytes} bytes.`,
      'file_too_large',
    );
  }
  const type = sniff(file.data);
  const ext = type ? rules.types[type] : undefined;
  if (!ext) {
    throw invalidParam(
      'file',
      `The file's content is not one of the types ${purpose} accepts (${Object.values(rules.types).join(', ')}).`,
      'file_invalid_type',
    );
  }
  return createFile(ctx, {
    purpose,
    filename: file.filename || `upload.${ext}`,
    type: ext,
    contents: file.data,
  });
}

export const fileRoutes: Route[] = [
  { method: 'POST', path: '/v1/files', handle: (ctx) => upload(ctx) },
  { method: 'GET', path: '/v1/files/:id', handle: (ctx, { id }) => find(ctx, id!) },
  {
    method: 'GET',
    path: '/v1/files/:id/contents',
    handle: (ctx, { id }) => {
      const file = find(ctx, id!);
      const contents = (file as unknown as { contents: Buffer }).contents;
      const types: Record<string, string> = {
        csv: 'text/csv',
        pdf: 'application/pdf',
        jpg: 'image/jpeg',
        png: 'image/png',
      };
      return new RawBody(types[String(file.type)] ?? 'application/octet-stream', contents);
    },
  },
  {
    method: 'GET',
    path: '/v1/files',
    handle: (ctx) =>
      list(ctx.state, ctx.account, RESOURCE, ctx.params, { url: '/v1/files', kind: 'file' }),
  },
];
