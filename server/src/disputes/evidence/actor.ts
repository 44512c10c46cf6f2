// Who acts on a dispute: a Stripe Dashboard user (from the app's verified signature), a support
// token (admin API), or DisputeDesk itself (automatic submission).
export interface EvidenceActor {
  type: 'app_user' | 'admin' | 'automatic';
  id: string | null;
  name: string;
}

/** The source recorded on a field someone typed. */
export const editedSource = (a: EvidenceActor) =>
  a.type === 'app_user'
    ? `merchant (${a.name})`
    : a.type === 'admin'
      ? `support (${a.name})`
      : 'automatic';
