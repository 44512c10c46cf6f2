// Crash: the emulator delivers a stream of real events (payments that turn into disputes) to the
// API's Connect endpoint; the API is killed with SIGKILL mid-stream and started again while the
// emulator retries what failed. Every event the emulator saw acknowledged must be stored, every
// event must eventually be acknowledged and processed, and each dispute stored once.
import pg from 'pg';
import Stripe from 'stripe';
import { apiAndWorker, freePort, runningEmulator, sleep, until } from '../processes.ts';
import {
  activeTenants,
  freshDatabase,
  ready,
  sharedRedisUrl,
  type ScenarioResult,
} from '../setup.ts';

const PLATFORM_KEY = 'sk_test_emulator_platform_key';

interface Attempt {
  eventId: string;
  status: number | null;
  final: boolean;
}

export async function crashScenario(short: boolean): Promise<ScenarioResult> {
  const seconds = short ? 12 : 45;
  const db = await freshDatabase();
  const apiPort = await freePort();
  const { proc: emu, port: emuPort, url: emuUrl, control } = await runningEmulator();
  const problems: string[] = [];
  let stack: ReturnType<typeof apiAndWorker> | null = null;
  try {
    await control('settings', { retryDelaysMs: [300, 600, 1200, 2400, 4800, 9600, 19200] });
    const endpoint = (await (
      await fetch(`${emuUrl}/v1/webhook_endpoints`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${PLATFORM_KEY}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({
          url: `http://127.0.0.1:${apiPort}/webhooks/stripe/connect`,
          connect: 'true',
          'enabled_events[]': '*',
        }).toString(),
      })
    ).json()) as { secret: string };
    const accounts: string[] = [];
    for (let i = 0; i < 8; i++) accounts.push((await control<{ id: string }>('accounts', {})).id);
    await activeTenants(db.url, accounts);
    stack = apiAndWorker({
      databaseUrl: db.url,
      redisUrl: sharedRedisUrl,
      apiPort,
      connectSecret: endpoint.secret,
      stripeApiBase: emuUrl,
    });
    stack.api.start();
    stack.worker.start();
    await ready(stack.url);

    const stripe = new Stripe(PLATFORM_KEY, { host: '127.0.0.1', port: emuPort, protocol: 'http' });
    let payments = 0;
    let killedAt = 0;
    const started = Date.now();
    const crashAt = started + (seconds * 1000) / 3;
    const pay = async () => {
      while (Date.now() - started < seconds * 1000) {
        const account = accounts[Math.floor(Math.random() * accounts.length)]!;
        await stripe.paymentIntents.create(
          {
            amount: 1000 + payments,
            currency: 'usd',
            payment_method: 'pm_card_createDispute',
            confirm: true,
          },
          { stripeAccount: account },
        );
        payments++;
        await sleep(50);
      }
    };
    const crash = async () => {
      await sleep(crashAt - Date.now());
      killedAt = Date.now();
      await stack!.api.stop('SIGKILL');
      await sleep(2000);
      stack!.api.start();
    };
    await Promise.all([pay(), pay(), crash()]);

    // Wait for the emulator to finish delivering (retries included).
    const eventIds = new Set<string>();
    for (const account of accounts) {
      for await (const e of stripe.events.list({ limit: 100 }, { stripeAccount: account }))
        eventIds.add(e.id);
    }
    let log: Attempt[] = [];
    await until(
      'every event delivered',
      async () => {
        log = (
          (await (await fetch(`${emuUrl}/_emulator/deliveries`)).json()) as { data: Attempt[] }
        ).data;
        const finals = new Set(log.filter((a) => a.final).map((a) => a.eventId));
        return [...eventIds].every((id) => finals.has(id));
      },
      120_000,
    );
    const ok = new Set(
      log
        .filter((a) => a.status !== null && a.status >= 200 && a.status < 300)
        .map((a) => a.eventId),
    );
    const refused = log.filter(
      (a) => !(a.status !== null && a.status >= 200 && a.status < 300),
    ).length;
    const neverAcked = [...eventIds].filter((id) => !ok.has(id));
    if (neverAcked.length)
      problems.push(`${neverAcked.length} events were never acknowledged (the emulator gave up)`);

    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      await until(
        'every stored event processed',
        async () =>
          (
            await c.query<{ n: number }>(
              `SELECT count(*)::int AS n FROM raw_events WHERE status IN ('received', 'deferred')`,
            )
          ).rows[0]!.n === 0,
        120_000,
      );
      const { rows } = await c.query<{ stripe_event_id: string; status: string }>(
        'SELECT stripe_event_id, status FROM raw_events WHERE stripe_event_id = ANY($1)',
        [[...ok]],
      );
      if (rows.length !== ok.size)
        problems.push(`${ok.size - rows.length} acknowledged events are not stored`);
      const notDone = rows.filter((r) => r.status !== 'processed' && r.status !== 'ignored').length;
      if (notDone) problems.push(`${notDone} stored events are not processed`);
      let emulatorDisputes = 0;
      for (const account of accounts) {
        for await (const _ of stripe.disputes.list({ limit: 100 }, { stripeAccount: account }))
          emulatorDisputes++;
      }
      const { rows: d } = await c.query<{ n: number; distinct_ids: number }>(
        'SELECT count(*)::int AS n, count(DISTINCT stripe_id)::int AS distinct_ids FROM disputes',
      );
      if (d[0]!.n !== emulatorDisputes)
        problems.push(`${d[0]!.n} disputes stored, the emulator has ${emulatorDisputes}`);
      return {
        name: 'crash',
        problems,
        figures: {
          payments,
          'events (emulator)': eventIds.size,
          'deliveries refused or failed (API down)': refused,
          'acknowledged and stored': rows.length,
          'disputes (stored / emulator)': `${d[0]!.n} / ${emulatorDisputes}`,
          'API killed (-9) after': `${((killedAt - started) / 1000).toFixed(1)} s, down 2 s`,
        },
      };
    } finally {
      await c.end();
    }
  } finally {
    await stack?.api.stop();
    await stack?.worker.stop();
    await emu.stop();
    await db.drop();
  }
}
