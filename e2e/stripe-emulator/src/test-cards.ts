// Stripe's test payment methods and what confirming a payment with each one does.
export interface TestCard {
  brand: 'visa' | 'mastercard' | 'amex' | 'discover';
  last4: string;
  outcome: 'succeed' | 'decline' | 'authenticate';
  /** Why the issuer declines (outcome 'decline'). */
  declineCode?: string;
  /** The card can be saved but every charge on it is declined (pm_card_chargeCustomerFail). */
  declineOnCharge?: boolean;
  /** A refund of the charge succeeds, then fails a moment later (pm_card_refundFail). */
  refundFails?: boolean;
  /** Funds are available at once instead of after the usual two days. */
  bypassPending?: boolean;
  /** A dispute the issuer opens right after the charge succeeds. */
  dispute?: {
    status: 'needs_response' | 'warning_needs_response';
    reason: string;
    networkReasonCode: string;
    caseType: string;
    /** Visa Compelling Evidence 3.0 eligible (needs prior undisputed transactions). */
    ce3?: boolean;
  };
  earlyFraudWarning?: boolean;
}

export const TEST_CARDS: Record<string, TestCard> = {
  pm_card_visa: { brand: 'visa', last4: '4242', outcome: 'succeed' },
  pm_card_mastercard: { brand: 'mastercard', last4: '4444', outcome: 'succeed' },
  pm_card_amex: { brand: 'amex', last4: '8431', outcome: 'succeed' },
  pm_card_discover: { brand: 'discover', last4: '1117', outcome: 'succeed' },
  pm_card_bypassPending: { brand: 'visa', last4: '0077', outcome: 'succeed', bypassPending: true },
  pm_card_chargeDeclined: {
    brand: 'visa',
    last4: '0002',
    outcome: 'decline',
    declineCode: 'generic_decline',
  },
  pm_card_visa_chargeDeclined: {
    brand: 'visa',
    last4: '0002',
    outcome: 'decline',
    declineCode: 'generic_decline',
  },
  pm_card_chargeDeclinedInsufficientFunds: {
    brand: 'visa',
    last4: '9995',
    outcome: 'decline',
    declineCode: 'insufficient_funds',
  },
  pm_card_chargeDeclinedFraudulent: {
    brand: 'visa',
    last4: '0019',
    outcome: 'decline',
    declineCode: 'fraudulent',
  },
  pm_card_chargeDeclinedExpiredCard: {
    brand: 'visa',
    last4: '0069',
    outcome: 'decline',
    declineCode: 'expired_card',
  },
  pm_card_chargeCustomerFail: {
    brand: 'visa',
    last4: '0341',
    outcome: 'succeed',
    declineOnCharge: true,
    declineCode: 'generic_decline',
  },
  pm_card_refundFail: { brand: 'visa', last4: '5126', outcome: 'succeed', refundFails: true },
  pm_card_authenticationRequired: { brand: 'visa', last4: '3184', outcome: 'authenticate' },
  pm_card_threeDSecure2Required: { brand: 'visa', last4: '3220', outcome: 'authenticate' },
  pm_card_createDispute: {
    brand: 'visa',
    last4: '0259',
    outcome: 'succeed',
    dispute: {
      status: 'needs_response',
      reason: 'fraudulent',
      networkReasonCode: '10.4',
      caseType: 'chargeback',
    },
  },
  pm_card_createDisputeProductNotReceived: {
    brand: 'visa',
    last4: '2685',
    outcome: 'succeed',
    dispute: {
      status: 'needs_response',
      reason: 'product_not_received',
      networkReasonCode: '13.1',
      caseType: 'chargeback',
    },
  },
  pm_card_createDisputeInquiry: {
    brand: 'visa',
    last4: '1976',
    outcome: 'succeed',
    dispute: {
      status: 'warning_needs_response',
      reason: 'fraudulent',
      networkReasonCode: '10.4',
      caseType: 'inquiry',
    },
  },
  pm_card_createCe3EligibleDispute: {
    brand: 'visa',
    last4: '6975',
    outcome: 'succeed',
    dispute: {
      status: 'needs_response',
      reason: 'fraudulent',
      networkReasonCode: '10.4',
      caseType: 'chargeback',
      ce3: true,
    },
  },
  pm_card_createComplianceDispute: {
    brand: 'visa',
    last4: '2210',
    outcome: 'succeed',
    dispute: {
      status: 'needs_response',
      reason: 'noncompliant',
      networkReasonCode: 'C028',
      caseType: 'compliance',
    },
  },
  pm_card_createIssuerFraudRecord: {
    brand: 'visa',
    last4: '0019',
    outcome: 'succeed',
    earlyFraudWarning: true,
  },
};

/** A test PaymentMethod id (`pm_card_visa`) or card token (`tok_visa`, `tok_chargeDeclined`). */
export function testCard(shortcut: string): TestCard | undefined {
  if (shortcut.startsWith('tok_')) return TEST_CARDS[`pm_card_${shortcut.slice(4)}`];
  return TEST_CARDS[shortcut];
}
