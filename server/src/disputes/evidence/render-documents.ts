// Evidence documents rendered from stored data (pdfkit, standard fonts, no network): a receipt of
// the disputed payment, and the customer's payment history with this merchant — undisputed
// payments before the dispute are what issuers look for in fraud and "unrecognized" cases.
import PDFDocument from 'pdfkit';
import type { EvidenceContext } from './load-context.ts';

export interface HistoryRow {
  id: string;
  created: string;
  amount: number;
  currency: string;
  status: string;
  refunded: number;
  disputed: boolean;
  description: string | null;
}

const money = (minor: number, currency: string) =>
  `${(minor / 100).toFixed(2)} ${currency.toUpperCase()}`;

function render(build: (doc: PDFKit.PDFDocument) => void): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({
      size: 'A4',
      margin: 50,
      info: { Producer: 'DisputeDesk', Creator: 'DisputeDesk' },
    });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    build(doc);
    doc.end();
  });
}

const line = (doc: PDFKit.PDFDocument, label: string, value: string | null | undefined) => {
  if (!value) return;
  doc.font('Helvetica-Bold').text(`${label}: `, { continued: true }).font('Helvetica').text(value);
};

export function renderReceipt(ctx: EvidenceContext, merchant: string): Promise<Buffer> {
  const c = ctx.charge;
  const pi = ctx.intent;
  return render((doc) => {
    doc.font('Helvetica-Bold').fontSize(18).text('Payment receipt');
    doc
      .moveDown(0.3)
      .fontSize(9)
      .font('Helvetica')
      .fillColor('#555')
      .text(
        `Issued by ${merchant} for dispute ${ctx.disputeId}, from the payment records held by Stripe.`,
      );
    doc.moveDown().fillColor('#000').fontSize(11);
    line(doc, 'Payment', pi?.id ?? c?.id);
    line(doc, 'Charge', c?.id);
    line(
      doc,
      'Date',
      c ? new Date(c.created * 1000).toISOString().slice(0, 19).replace('T', ' ') + ' UTC' : null,
    );
    line(
      doc,
      'Amount',
      c ? money(c.amount, c.currency) : pi ? money(pi.amount, pi.currency) : null,
    );
    line(doc, 'Description', pi?.description ?? c?.description);
    const card = c?.payment_method_details?.card;
    line(doc, 'Card', card ? `${card.brand ?? ''} ending ${card.last4 ?? ''}`.trim() : null);
    line(doc, 'Customer', c?.billing_details?.name ?? ctx.customer?.name);
    line(doc, 'Email', c?.billing_details?.email ?? c?.receipt_email ?? ctx.customer?.email);
    const ship = pi?.shipping ?? c?.shipping;
    if (ship?.address) {
      const a = ship.address;
      line(
        doc,
        'Shipped to',
        [ship.name, a.line1, a.line2, a.postal_code, a.city, a.state, a.country]
          .filter(Boolean)
          .join(', '),
      );
      line(doc, 'Carrier', ship.carrier);
      line(doc, 'Tracking number', ship.tracking_number);
    }
    if (ctx.refunds.length) {
      line(
        doc,
        'Refunds',
        ctx.refunds
          .map((r) => `${money(r.amount, r.currency)} on ${r.created} (${r.status})`)
          .join('; '),
      );
    }
  });
}

export function renderPaymentHistory(
  ctx: EvidenceContext,
  merchant: string,
  rows: readonly HistoryRow[],
): Promise<Buffer> {
  return render((doc) => {
    doc.font('Helvetica-Bold').fontSize(18).text('Customer payment history');
    doc
      .moveDown(0.3)
      .fontSize(9)
      .font('Helvetica')
      .fillColor('#555')
      .text(
        `Payments with ${merchant} by the same customer or card as disputed payment ${ctx.charge?.id ?? ''} (dispute ${ctx.disputeId}).`,
      );
    doc.moveDown().fillColor('#000').fontSize(10);
    const undisputed = rows.filter(
      (r) => !r.disputed && r.status === 'succeeded' && r.id !== ctx.charge?.id,
    );
    doc.text(`${rows.length} payments, ${undisputed.length} of them completed and never disputed.`);
    doc.moveDown(0.5);
    for (const r of rows) {
      const notes = [
        r.disputed ? 'disputed' : null,
        r.refunded ? `refunded ${money(r.refunded, r.currency)}` : null,
        r.id === ctx.charge?.id ? 'this dispute' : null,
      ]
        .filter(Boolean)
        .join(', ');
      doc.text(
        `${r.created}   ${r.id}   ${money(r.amount, r.currency)}   ${r.status}${notes ? `   (${notes})` : ''}${r.description ? `   ${r.description}` : ''}`,
      );
    }
  });
}
