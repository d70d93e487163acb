/**
 * What the dispatcher needs from an SMS provider, as data: an adapter turns every failure into an
 * outcome (retry later, or give up with a Russian reason) instead of throwing.
 */
export type SendOutcome =
  | { kind: 'sent'; providerMessageId: string }
  /** Worth another try later: network, timeout, HTTP 5xx/429, the provider's "temporarily unavailable". */
  | { kind: 'retry'; error: string }
  /** Trying again will not help this message (bad number, bad credentials, no money, sender not approved). */
  | { kind: 'failed'; error: string };

export type DeliveryReport =
  | { state: 'pending' }
  | { state: 'delivered' }
  | { state: 'undelivered'; error: string };

export interface SmsProvider {
  /** `phone` as stored (`+7…`); the adapter converts it to the provider's format. */
  send(phone: string, text: string): Promise<SendOutcome>;
  /**
   * Delivery reports for provider message ids; ids the provider did not report are left out.
   * Throws only when the whole request failed (the dispatcher asks again later).
   */
  status(providerMessageIds: readonly string[]): Promise<Map<string, DeliveryReport>>;
}
