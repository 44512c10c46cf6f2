// npm run emulator [-- --port 12111 --log --no-rate-limit]
// The local Stripe on 127.0.0.1 (EMULATOR_PORT, EMULATOR_RATE_LIMIT=off and EMULATOR_LOG=1 work
// too). Prints the keys, the OAuth client id and the control API.
import { parseArgs } from 'node:util';
import { DEFAULT_KEYS, startEmulator } from './server.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.EMULATOR_PORT ?? '12111' },
    log: { type: 'boolean', default: process.env.EMULATOR_LOG === '1' },
    'no-rate-limit': { type: 'boolean', default: process.env.EMULATOR_RATE_LIMIT === 'off' },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a TCP port (got ${values.port})`);
  process.exit(2);
}
const emulator = await startEmulator({
  port,
  rateLimit: !values['no-rate-limit'],
  ...(values.log
    ? {
        onRequest: (r: { method: string; path: string; status: number; account: string | null }) =>
          console.log(`${r.status} ${r.method} ${r.path}${r.account ? ` (${r.account})` : ''}`),
      }
    : {}),
});
console.log(`Stripe emulator listening on ${emulator.url}`);
console.log(`  platform account  ${emulator.platformAccountId}`);
console.log(`  secret keys       ${DEFAULT_KEYS.test} (test), ${DEFAULT_KEYS.live} (live)`);
console.log(
  `  OAuth             client ${emulator.state.oauth.clientId}, ${emulator.url}/oauth/authorize`,
);
console.log(
  `  rate limits       ${values['no-rate-limit'] ? 'off' : '25/s test, 100/s live per account'}`,
);
console.log(
  `  control API       ${emulator.url}/_emulator/info (faults, settings, accounts, keys, seed)`,
);
const stop = () => void emulator.stop().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
