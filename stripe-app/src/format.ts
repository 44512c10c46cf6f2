// Formatting for the views: money in minor units, dates, deadlines and labels — money and dates
// in the Dashboard user's locale (`localeOf(context)`).
import type { ExtensionContextValue } from '@stripe/ui-extension-sdk/context';

/** The user's locale from the context props ("en", "de-DE", …); en-US when absent or unknown. */
export function localeOf(context: Pick<ExtensionContextValue, 'userContext'>): string {
  const wanted = context.userContext?.locale;
  if (!wanted) return 'en-US';
  try {
    return Intl.NumberFormat.supportedLocalesOf([wanted])[0] ?? 'en-US';
  } catch {
    return 'en-US';
  }
}

/** An amount in minor units (cents, yen) in the currency's major units (dollars, yen). */
export function toMajor(minor: number, currency: string): number {
  const fmt = new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency: currency.toUpperCase(),
  });
  return minor / 10 ** (fmt.resolvedOptions().maximumFractionDigits ?? 2);
}

export function money(minor: number, currency: string, locale = 'en-US'): string {
  const fmt = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency: currency.toUpperCase(),
  });
  return fmt.format(toMajor(minor, currency));
}

export function dateTime(iso: string, locale = 'en-US'): string {
  return new Date(iso).toLocaleString(locale, {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: 'UTC',
  });
}

export function day(iso: string, locale = 'en-US'): string {
  return new Date(iso).toLocaleDateString(locale, { dateStyle: 'medium', timeZone: 'UTC' });
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** "3 days 4 hours", "5 hours 10 minutes", "12 minutes". */
export function duration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  if (days > 0)
    return hours ? `${plural(days, 'day')} ${plural(hours, 'hour')}` : plural(days, 'day');
  if (hours > 0)
    return minutes % 60
      ? `${plural(hours, 'hour')} ${plural(minutes % 60, 'minute')}`
      : plural(hours, 'hour');
  return plural(Math.max(minutes, 1), 'minute');
}

export const URGENT_MS = 72 * 3600 * 1000;

export interface Deadline {
  text: string;
  urgent: boolean;
  /** The issuer allows no response (no evidence deadline). */
  none: boolean;
}

/** The evidence deadline of an open dispute, as a countdown. */
export function deadline(challengeRequiredBy: string | null, now: number): Deadline {
  if (!challengeRequiredBy) {
    return { text: 'The issuer allows no response to this dispute.', urgent: false, none: true };
  }
  const left = new Date(challengeRequiredBy).getTime() - now;
  if (left <= 0) {
    return {
      text: `The evidence deadline passed on ${dateTime(challengeRequiredBy)} UTC.`,
      urgent: true,
      none: false,
    };
  }
  return {
    text: `Respond within ${duration(left)} (by ${dateTime(challengeRequiredBy)} UTC).`,
    urgent: left < URGENT_MS,
    none: false,
  };
}

export function ago(iso: string | null, now: number): string {
  if (!iso) return 'never';
  const ms = now - new Date(iso).getTime();
  return ms < 60_000 ? 'just now' : `${duration(ms)} ago`;
}

/** "needs_response" → "Needs response"; "PRODUCT_NOT_RECEIVED" → "Product not received". */
export function label(code: string): string {
  const words = code.replace(/[_.]+/g, ' ').toLowerCase().trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function percent(ratio: number | null): string {
  return ratio === null ? '—' : `${Math.round(ratio * 100)} %`;
}
