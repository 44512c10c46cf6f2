// npm start's demo receiver: a merchant's system receiving DISPUTE.STATUS notifications. Verifies
// each with the code merchants are given (docs/examples/verify-dispute-notification.mjs) and the
// secret in .dev/receiver-secret, and prints one line per notification.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { verifyDisputeNotification } from '../../docs/examples/verify-dispute-notification.mjs';

const port = Number(process.env.RECEIVER_PORT ?? 3999);
const secretFile = process.env.RECEIVER_SECRET_FILE ?? '../.dev/receiver-secret';

http
  .createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      let secret = '';
      try {
        secret = readFileSync(secretFile, 'utf8').trim();
      } catch {
        /* no destination yet */
      }
      const ok = secret !== '' && verifyDisputeNotification(raw, req.headers, secret);
      const n = JSON.parse(raw.toString() || '{}') as Record<string, unknown>;
      console.log(
        `[receiver] ${ok ? 'verified' : 'REJECTED (bad signature)'} ${String(n.eventType)} ${String(n.disputeId)} ${String(n.type)}/${String(n.status)} ${String(n.reason)} ${String(n.amount)} ${String(n.currency)}${n.test ? ' (test)' : ''}`,
      );
      res.writeHead(ok ? 200 : 401).end();
    });
  })
  .listen(port, '127.0.0.1', () => console.log(`[receiver] listening on http://127.0.0.1:${port}`));
