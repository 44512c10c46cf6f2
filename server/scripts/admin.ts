// npm run admin -- token create|list|revoke … (see src/admin/token-command.ts). Needs only
// DATABASE_URL (read from ../.env when it exists).
import { AppError } from '../src/errors.ts';
import { createDb } from '../src/db.ts';
import { runAdminCommand, UsageError } from '../src/admin/access/token-command.ts';

const url = process.env.DATABASE_URL;
if (!url) {
  console.error('DATABASE_URL is not set (put it in .env or the environment).');
  process.exit(2);
}
const db = createDb({ url, poolSize: 1 });
try {
  for (const line of await runAdminCommand(db.pool, process.argv.slice(2))) console.log(line);
} catch (err) {
  if (err instanceof UsageError || err instanceof AppError) {
    console.error(err.message);
    process.exitCode = 2;
  } else throw err;
} finally {
  await db.close();
}
