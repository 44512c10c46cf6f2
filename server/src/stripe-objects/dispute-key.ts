// A dispute named by its tenant and Stripe id: how statements that mix tenants take their rows.

export interface DisputeKey {
  tenantId: string;
  disputeId: string;
}

/** The disputes as [tenant ids, dispute ids], for `unnest($1::uuid[], $2::text[])`. */
export const keyArrays = (keys: readonly DisputeKey[]): [string[], string[]] => [
  keys.map((k) => k.tenantId),
  keys.map((k) => k.disputeId),
];
