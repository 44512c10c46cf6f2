// Destinations must be public. Addresses are classified with ipaddr.js (not by hand), including
// the IPv6 forms that carry an IPv4 address (mapped ::ffff:a.b.c.d, compatible ::a.b.c.d, NAT64
// 64:ff9b::/96, 6to4 2002::/16) are refused whatever they carry. Anything ipaddr.js does not call
// plain `unicast` (loopback, private, link-local, CGNAT, multicast, reserved, Teredo…) is internal.
//
// The check runs where the connection is made: `guardedLookup` is the DNS lookup of the socket
// (post-notification.ts), so the address that was checked is the address connected to — no
// second resolution between check and connect (DNS rebinding). IP literals never reach a lookup,
// so `checkDestinationUrl` refuses internal ones up front.
import type { LookupAddress } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { AppError } from '../errors.ts';

/** Resolves a host name to every address it has (dns.lookup by default; tests pass their own). */
export type ResolveHost = (hostname: string) => Promise<LookupAddress[]>;

const systemResolve: ResolveHost = (hostname) => dnsLookup(hostname, { all: true });

const v4Internal = (a: ipaddr.IPv4) => a.range() !== 'unicast';

/** IPv6 forms that carry an IPv4 address: mapped, NAT64/SIIT, 6to4, IPv4-compatible. */
function carriesIPv4(a: ipaddr.IPv6): boolean {
  const p = a.parts;
  const range = a.range();
  return (
    a.isIPv4MappedAddress() ||
    range === 'rfc6052' ||
    range === 'rfc6145' ||
    range === '6to4' ||
    (p[0] === 0x64 && p[1] === 0xff9b) || // NAT64 well-known and local-use prefixes
    p.slice(0, 6).every((w) => w === 0) // ::a.b.c.d (deprecated), and :: and ::1
  );
}

/** Whether an IP address (v4 or v6, any textual form Node accepts) is not a public unicast one. */
export function isInternalAddress(ip: string): boolean {
  if (!ipaddr.isValid(ip)) return true;
  const a = ipaddr.parse(ip);
  if (a.kind() === 'ipv4') return v4Internal(a as ipaddr.IPv4);
  const v6 = a as ipaddr.IPv6;
  // A public IPv4 receiver is reached over IPv4, never through a translation prefix; these forms
  // are how internal IPv4 addresses get past checks that only look at the IPv6 range.
  if (carriesIPv4(v6)) return true;
  return v6.range() !== 'unicast';
}

export class DestinationRefused extends AppError {
  constructor(message: string, reason: string) {
    super('bad_request', message, { reason });
  }
}

const refusedInternal = () =>
  new DestinationRefused(
    'The destination resolves to an internal address; only public addresses may receive notifications.',
    'internal_address',
  );

/** Syntax checks, and IP literals classified (they are connected to without any lookup). */
export function checkDestinationUrl(url: string, allowPrivate: boolean): URL {
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
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && isIP(host) && isInternalAddress(host)) throw refusedInternal();
  return u;
}

/** Resolves a host and refuses it when any of its addresses is internal (unless allowed). */
export async function resolvePublic(
  hostname: string,
  allowPrivate: boolean,
  resolve: ResolveHost = systemResolve,
): Promise<LookupAddress[]> {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) {
    if (!allowPrivate && isInternalAddress(host)) throw refusedInternal();
    return [{ address: host, family: isIP(host) }];
  }
  const addresses = await resolve(host).catch(() => []);
  if (addresses.length === 0)
    throw new DestinationRefused(`The destination host ${host} does not resolve.`, 'unresolvable');
  if (!allowPrivate && addresses.some((a) => isInternalAddress(a.address))) throw refusedInternal();
  return addresses;
}

/** On creation (and update): the URL is well formed and its host resolves to public addresses. */
export async function assertPublicDestination(
  url: string,
  allowPrivate: boolean,
  resolve?: ResolveHost,
): Promise<URL> {
  const u = checkDestinationUrl(url, allowPrivate);
  if (!allowPrivate) await resolvePublic(u.hostname, allowPrivate, resolve);
  return u;
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for net/tls sockets: resolves once, refuses internal addresses, and hands the socket
 * exactly the addresses it checked.
 */
export function guardedLookup(allowPrivate: boolean, resolve: ResolveHost = systemResolve) {
  return (
    hostname: string,
    options: { family?: number | string; all?: boolean },
    callback: LookupCallback,
  ) => {
    resolvePublic(hostname, allowPrivate, resolve).then(
      (all) => {
        const family =
          options.family === 'IPv6' ? 6 : options.family === 'IPv4' ? 4 : options.family;
        const usable = family === 4 || family === 6 ? all.filter((a) => a.family === family) : all;
        if (usable.length === 0) {
          const err: NodeJS.ErrnoException = new Error(`no IPv${family} address for ${hostname}`);
          err.code = 'ENOTFOUND';
          return callback(err, '');
        }
        if (options.all) callback(null, usable);
        else callback(null, usable[0]!.address, usable[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, ''),
    );
  };
}
