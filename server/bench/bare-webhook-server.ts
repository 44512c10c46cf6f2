// The peer baseline for bench:ingest: the seed document's Express webhook handler (raw body,
// signature verified with stripe-node, switch on the type, acknowledge) with no storage at all.
// It is what a webhook endpoint costs when it does nothing durable.
import express from 'express';
import Stripe from 'stripe';

const secret = process.env.BARE_WEBHOOK_SECRET ?? '';
const port = Number(process.env.PORT ?? 4242);
const stripe = new Stripe('sk_test_bare_handler_baseline');
const app = express();

app.post('/webhook', express.raw({ type: 'application/json' }), (request, response) => {
  let event: Stripe.Event;
  try {
    event = stripe.webhooks.constructEvent(
      request.body as Buffer,
      request.get('stripe-signature') ?? '',
      secret,
    );
  } catch (err) {
    response.status(400).send(`Webhook Error: ${(err as Error).message}`);
    return;
  }
  switch (event.type) {
    case 'charge.dispute.created':
      break;
    default:
      break;
  }
  response.json({ received: true });
});

app.listen(port, '127.0.0.1', () => console.log(`listening ${port}`));
