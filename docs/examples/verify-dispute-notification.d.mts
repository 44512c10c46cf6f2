/** True when the notification is signed with `secret` (primary or, after a rotation, secondary) and fresh. */
export function verifyDisputeNotification(
  rawBody: string | Uint8Array,
  headers: Record<string, string | string[] | undefined>,
  secret: string,
  nowSeconds?: number,
): boolean;
