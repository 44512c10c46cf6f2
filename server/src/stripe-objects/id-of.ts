// The id of a Stripe reference that may be an id, an expanded object, or absent.
export const idOf = (v: string | { id: string } | null | undefined): string | null =>
  v == null ? null : typeof v === 'string' ? v : v.id;
