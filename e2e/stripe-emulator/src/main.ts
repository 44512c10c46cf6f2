// npm run emulator — the local Stripe on 127.0.0.1:12111 (EMULATOR_PORT to change it).
import { DEFAULT_KEYS, startEmulator } from './server.ts';

const emulator = await startEmulator({ port: Number(process.env.EMULATOR_PORT ?? 12111) });
console.log(`Stripe emulator listening on ${emulator.url}`);
console.log(`  platform account ${emulator.platformAccountId}`);
console.log(`  keys: ${DEFAULT_KEYS.test} (test), ${DEFAULT_KEYS.live} (live)`);
const stop = () => void emulator.stop().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
