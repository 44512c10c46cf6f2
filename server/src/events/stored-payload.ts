// A stored event's body: `payload` (json, as received) for events stored since migration
// 20261202090000_raw_event_payload_json, `legacy_payload` (jsonb) for those stored before it,
// which leave with their months. Every read of a body goes through this expression.
export const storedPayload = (alias?: string): string => {
  const col = (name: string) => (alias ? `${alias}.${name}` : name);
  return `COALESCE(${col('payload')}, ${col('legacy_payload')}::json)`;
};
