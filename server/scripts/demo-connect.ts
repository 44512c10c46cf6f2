// npm start's demo: installs merchants on the running stack the way a merchant does — our
// /oauth/install, the (emulated) Stripe authorize page's Install, our /oauth/callback — then gives
// the first one a notification destination (the demo receiver). Usage:
//   tsx scripts/demo-connect.ts --api http://127.0.0.1:3000 --emulator http://127.0.0.1:12111 \
//     --receiver http://127.0.0.1:3999/notifications --admin-token … acct_1 acct_2 …
// Prints one line per merchant and writes the destination's signing secret where the receiver
// reads it (.dev/receiver-secret).
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    api: { type: 'string' },
    emulator: { type: 'string' },
    receiver: { type: 'string' },
    'admin-token': { type: 'string' },
    'secret-file': { type: 'string', default: '../.dev/receiver-secret' },
  },
});
const api = values.api!;
const emulator = values.emulator!;

/** Follows our install link through the authorize page's Install for `account`. */
async function install(account: string): Promise<void> {
  const start = await fetch(`${api}/oauth/install?mode=test`, { redirect: 'manual' });
  const authorize = new URL(start.headers.get('location') ?? '');
  const decision = await fetch(`${emulator}/oauth/authorize/decision`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      client_id: authorize.searchParams.get('client_id') ?? '',
      redirect_uri: authorize.searchParams.get('redirect_uri') ?? '',
      state: authorize.searchParams.get('state') ?? '',
      stripe_user_id: account,
      decision: 'install',
    }).toString(),
  });
  const callback = decision.headers.get('location');
  if (!callback) throw new Error(`the authorize page refused ${account}: ${await decision.text()}`);
  const done = await fetch(callback, { redirect: 'manual' });
  if (done.status >= 400) throw new Error(`the callback failed for ${account}: ${done.status}`);
}

async function tenantOf(account: string) {
  const res = await fetch(`${api}/admin/v1/tenants?q=${account}`, {
    headers: { authorization: `Bearer ${values['admin-token']}` },
  });
  const { data } = (await res.json()) as { data: Array<{ id: string; accountId: string }> };
  return data.find((t) => t.accountId === account)?.id;
}

for (const account of positionals) {
  await install(account);
  console.log(`  installed DisputeDesk on ${account} (history import queued)`);
}
if (values.receiver && values['admin-token'] && positionals[0]) {
  const tenantId = await tenantOf(positionals[0]);
  const res = await fetch(`${api}/admin/v1/tenants/${tenantId}/notification-destinations`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${values['admin-token']}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ url: values.receiver }),
  });
  const dest = (await res.json()) as { signingSecret?: string; error?: { message: string } };
  if (!dest.signingSecret) throw new Error(`no destination: ${dest.error?.message ?? res.status}`);
  writeFileSync(values['secret-file'], dest.signingSecret, { mode: 0o600 });
  console.log(
    `  ${positionals[0]} notifies ${values.receiver} (the demo receiver verifies each one)`,
  );
}
