// The few HTML pages a merchant sees during an install: success, cancelled, and what went wrong.
export const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function page(title: string, paragraphs: string[]): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escape(title)} · DisputeDesk</title>
<style>body{font-family:system-ui,sans-serif;max-width:34rem;margin:4rem auto;padding:0 1rem;color:#1a1f36}h1{font-size:1.4rem}</style></head>
<body><h1>${escape(title)}</h1>${paragraphs.map((p) => `<p>${escape(p)}</p>`).join('')}</body></html>`;
}

export const STATE_PAGES = {
  missing: [
    'This install link is incomplete',
    ['The page was opened without its install state. Start the install again from Stripe.'],
  ],
  unknown: [
    'This install link is not ours',
    ['We did not issue this install state. Start the install again from Stripe.'],
  ],
  expired: [
    'This install link has expired',
    ['Install links are valid for 10 minutes. Start the install again from Stripe.'],
  ],
  replayed: [
    'This install link was already used',
    [
      'Each install link works once. If the app is not connected yet, start the install again from Stripe.',
    ],
  ],
} as const;
