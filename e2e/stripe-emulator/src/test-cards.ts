// Stripe's test payment methods and what confirming a payment with each one does.
export interface TestCard {
  brand: 'visa' | 'mastercard' | 'amex' | 'discover';
  last4: string;
  outcome: 'succeed' | 'decline';
  /** A dispute the issuer opens right after the charge succeeds. */
  dispute?: {
    status: 'needs_response' | 'warning_needs_response';
    reason: string;
    networkReasonCode: string;
    caseType: string;
  };
  earlyFraudWarning?: boolean;
}

export const TEST_CARDS: Record<string, TestCard> = {
  pm_card_visa: { brand: 'visa', last4: '4242', outcome: 'succeed' },
  pm_card_mastercard: { brand: 'mastercard', last4: '4444', outcome: 'succeed' },
  pm_card_amex: { brand: 'amex', last4: '8431', outcome: 'succeed' },
  pm_card_discover: { brand: 'discover', last4: '1117', outcome: 'succeed' },
  pm_card_bypassPending: { brand: 'visa', last4: '0077', outcome: 'succeed' },
  pm_card_chargeDeclined: { brand: 'visa', last4: '0002', outcome: 'decline' },
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
  pm_card_createIssuerFraudRecord: {
    brand: 'visa',
    last4: '0019',
    outcome: 'succeed',
    earlyFraudWarning: true,
  },
};

export function testCard(paymentMethod: string): TestCard | undefined {
  return TEST_CARDS[paymentMethod];
}
