// Webhook delivery like Stripe's: each event goes to every enabled endpoint of its account that
// listens for its type, and — for a connected account's event — to the platform's Connect
// endpoints. Each delivery is signed (Stripe-Signature: t, v1 = HMAC-SHA256 of `t.body`),
// retried with backoff on a non-2xx answer or a timeout (a compressed schedule), and logged.
import { createHmac } from 'node:crypto';
import type { Account, EmulatorState, StoredObject } from './state.ts';

export interface DeliveryAttempt {
  eventId: string;
  eventType: string;
  endpointId: string;
  url: string;
  attempt: number;
  status: number | null;
  error: string | null;
  at: number;
  final: boolean;
}

export function sign(
  secret: string,
  body: string,
  timestamp = Math.floor(Date.now() / 1000),
): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

function listens(endpoint: StoredObject, type: string) {
  const events = endpoint.enabled_events as string[];
  return events.includes('*') || events.includes(type);
}

/** The account's own endpoints, plus its platform's Connect endpoints for a connected account. */
function destinations(state: EmulatorState, event: StoredObject, account: Account): StoredObject[] {
  const usable = (e: StoredObject) =>
    e.status === 'enabled' && e.livemode === event.livemode && listens(e, String(event.type));
  const own = [...state.newestFirst(account, 'webhook_endpoint')].filter(
    (e) => !e.connect && usable(e),
  );
  const platform = account.platform ? state.accounts.get(account.platform) : undefined;
  const connect = platform
    ? [...state.newestFirst(platform, 'webhook_endpoint')].filter(
        (e) => e.connect === true && usable(e),
      )
    : [];
  return [...own, ...connect];
}

export class WebhookDispatcher {
  readonly log: DeliveryAttempt[] = [];

  constructor(private readonly state: EmulatorState) {}

  dispatch(event: StoredObject, account: Account) {
    const withheld = this.state.faults.withholdEventTypes.includes(String(event.type));
    const targets = withheld ? [] : destinations(this.state, event, account);
    event.pending_webhooks = targets.length;
    const { webhookDuplicateRate, webhookReorderMs } = this.state.faults;
    for (const endpoint of targets) {
      const copies = Math.random() < webhookDuplicateRate ? 2 : 1;
      for (let i = 0; i < copies; i++) {
        if (webhookReorderMs > 0) {
          // A random hold per delivery: later events can overtake earlier ones.
          const hold = setTimeout(
            () => void this.deliver(event, endpoint, 1),
            Math.random() * webhookReorderMs,
          );
          hold.unref();
        } else void this.deliver(event, endpoint, 1);
      }
    }
  }

  private async deliver(
    event: StoredObject,
    endpoint: StoredObject,
    attempt: number,
  ): Promise<void> {
    const { retryDelaysMs, deliveryTimeoutMs } = this.state.settings;
    const body = JSON.stringify(event);
    let status: number | null = null;
    let error: string | null = null;
    try {
      const res = await fetch(String(endpoint.url), {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          'stripe-signature': sign(String(endpoint.secret), body),
        },
        signal: AbortSignal.timeout(deliveryTimeoutMs),
      });
      status = res.status;
      await res.arrayBuffer();
    } catch (err) {
      error = (err as Error).name === 'TimeoutError' ? 'timeout' : (err as Error).message;
    }
    const ok = status !== null && status >= 200 && status < 300;
    const delay = retryDelaysMs[attempt - 1];
    const final = ok || delay === undefined;
    this.log.push({
      eventId: event.id,
      eventType: String(event.type),
      endpointId: endpoint.id,
      url: String(endpoint.url),
      attempt,
      status,
      error,
      at: Date.now(),
      final,
    });
    if (final) {
      event.pending_webhooks = Math.max(0, Number(event.pending_webhooks) - 1);
      return;
    }
    const timer = setTimeout(() => void this.deliver(event, endpoint, attempt + 1), delay);
    timer.unref();
  }
}
