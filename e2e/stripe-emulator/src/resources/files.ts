// Files: what report runs produce. The object's `url` points at the emulator and the contents are
// served only to a key of the same account (as files.stripe.com does).
import type { RequestContext } from '../context.ts';
import { missing } from '../errors.ts';
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

export const fileRoutes: Route[] = [
  { method: 'GET', path: '/v1/files/:id', handle: (ctx, { id }) => find(ctx, id!) },
  {
    method: 'GET',
    path: '/v1/files/:id/contents',
    handle: (ctx, { id }) => {
      const file = find(ctx, id!);
      const contents = (file as unknown as { contents: Buffer }).contents;
      return new RawBody(file.type === 'csv' ? 'text/csv' : 'application/octet-stream', contents);
    },
  },
  {
    method: 'GET',
    path: '/v1/files',
    handle: (ctx) =>
      list(ctx.state, ctx.account, RESOURCE, ctx.params, { url: '/v1/files', kind: 'file' }),
  },
];
