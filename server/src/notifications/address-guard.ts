// Destinations must be public: a URL whose host resolves to a private, loopback, link-local or
// otherwise internal address is refused (checked on creation and again at every delivery, since
// DNS can change), unless config allows it (local development and tests).
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { AppError } from '../errors.ts';

function internalV4(ip: string) {
  const [a, b] = ip.split('.').map(Number) as [number, number];
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 100 && b >= 64 && b <= 127) ||
    a >= 224
  );
}

function internalV6(ip: string) {
  const v = ip.toLowerCase();
  if (v === '::1' || v === '::') return true;
  if (v.startsWith('::ffff:')) return internalV4(v.slice(7));
  return /^f[cd]/.test(v) || /^fe[89ab]/.test(v);
}

export const isInternalAddress = (ip: string) => (isIP(ip) === 4 ? internalV4(ip) : internalV6(ip));

export async function assertPublicDestination(url: string, allowPrivate: boolean): Promise<URL> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new AppError('bad_request', 'The destination must be an absolute http(s) URL.');
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') {
    throw new AppError('bad_request', 'The destination must be an http(s) URL.');
  }
  if (u.username || u.password)
    throw new AppError('bad_request', 'The destination URL must not carry credentials.');
  if (allowPrivate) return u;
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host)
    ? [host]
    : (await lookup(host, { all: true }).catch(() => [])).map((a) => a.address);
  if (addresses.length === 0)
    throw new AppError('bad_request', `The destination host ${host} does not resolve.`);
  const internal = addresses.find(isInternalAddress);
  if (internal) {
    throw new AppError(
      'bad_request',
      `The destination resolves to an internal address (${internal}); only public addresses may receive notifications.`,
      {
        reason: 'internal_address',
      },
    );
  }
  return u;
}
