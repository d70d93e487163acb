import { createLogger } from '../logger.js';
import type { DeliveryReport, SendOutcome, SmsProvider } from './provider.js';

const log = createLogger('sms.smsru');

/**
 * The SMS.ru HTTP API (https://sms.ru/api/send, https://sms.ru/api/status), JSON mode (`json=1`).
 *
 * Checked against the stored copies of SMS.ru's own pages: the `sms/send` and `sms/status`
 * request fields and the response shape (`{status, status_code, sms: {<phone | id>: {status,
 * status_code, sms_id | status_text}}, balance}`), and the delivery codes 103/104. The full table
 * of error codes (200–233, 300–302, 500) was not in the store; the codes below follow SMS.ru's
 * published list as known to us, and any code we do not know is treated by its range (see
 * `classify`), so a new code degrades to "retry" or "failed", never to a crash.
 */
export interface SmsRuOptions {
  /** `https://sms.ru` in production; the local stub's address in tests. */
  url: string;
  /** The account's API key (a credential: never logged). */
  apiId: string;
  /** The approved sender name (`from`); empty for the account's default. */
  sender: string;
  timeoutMs: number;
  /** Injectable for tests; the global fetch by default. */
  fetch?: typeof fetch;
}

interface SmsRuEntry {
  status?: string;
  status_code?: number | string;
  status_text?: string;
  sms_id?: string;
}

interface SmsRuResponse {
  status?: string;
  status_code?: number | string;
  status_text?: string;
  sms?: Record<string, SmsRuEntry>;
}

/** Request/message codes that say "try again later". */
const RETRYABLE_CODES = new Set([206, 220, 230, 231, 232, 233, 500]);

/** Our own Russian wording for the codes a manager will meet; `status_text` covers the rest. */
const REASONS: Record<number, string> = {
  200: 'неверный api_id SMS.ru: проверьте OBLAKO_SMS_API_ID',
  201: 'на счёте SMS.ru недостаточно средств: пополните баланс и отправьте SMS повторно',
  202: 'неверный номер телефона получателя или на него нет маршрута: исправьте номер пациента',
  203: 'пустой текст сообщения',
  204: 'имя отправителя не согласовано с SMS.ru: проверьте OBLAKO_SMS_SENDER',
  205: 'сообщение слишком длинное',
  206: 'превышен дневной лимит отправки',
  207: 'на этот номер нельзя отправлять сообщения',
  209: 'номер в стоп-листе аккаунта SMS.ru',
  220: 'сервис SMS.ru временно недоступен',
  230: 'превышен дневной лимит сообщений на этот номер',
  231: 'превышен лимит одинаковых сообщений на этот номер в минуту',
  232: 'превышен лимит одинаковых сообщений на этот номер в день',
  233: 'превышен лимит повторных сообщений на этот номер',
  300: 'неверный токен SMS.ru: проверьте OBLAKO_SMS_API_ID',
  301: 'неверный api_id SMS.ru: проверьте OBLAKO_SMS_API_ID',
  302: 'аккаунт SMS.ru не подтверждён',
  500: 'ошибка на сервере SMS.ru',
};

/** Delivery codes of `sms/status`. */
const DELIVERED = new Set([103, 110]);
const UNDELIVERED: Record<number, string> = {
  104: 'не доставлено: истёк срок жизни сообщения',
  105: 'не доставлено: удалено оператором',
  106: 'не доставлено: сбой в телефоне',
  107: 'не доставлено: неизвестная причина',
  108: 'не доставлено: отклонено',
  150: 'не доставлено: не найден маршрут на этот номер',
};

/** `+7 916 123-45-67`, `89161234567` → `79161234567`; null when it is not a Russian mobile-style number. */
export function toSmsRuPhone(phone: string): string | null {
  const digits = phone.replace(/\D/g, '');
  if (/^7\d{10}$/.test(digits)) return digits;
  if (/^8\d{10}$/.test(digits)) return `7${digits.slice(1)}`;
  return null;
}

/** For logs: the last four digits only (a phone number is personal data). */
export function maskPhone(phone: string): string {
  return `…${phone.replace(/\D/g, '').slice(-4)}`;
}

function codeOf(v: number | string | undefined): number | null {
  const n = Number(v);
  return Number.isInteger(n) ? n : null;
}

function reason(code: number | null, text: string | undefined): string {
  const known = code !== null ? REASONS[code] : undefined;
  const base = known ?? (text?.trim() ? `SMS.ru: ${text.trim()}` : 'ошибка SMS.ru');
  return `${base.charAt(0).toUpperCase()}${base.slice(1)}${code !== null ? ` (код ${code})` : ''}.`;
}

/** Known temporary codes and 5xx-like codes are retried; every other error is this message's end. */
export function classify(code: number | null, text?: string): SendOutcome {
  const error = reason(code, text);
  if (code === null || RETRYABLE_CODES.has(code) || code >= 500) return { kind: 'retry', error };
  return { kind: 'failed', error };
}

export class SmsRuProvider implements SmsProvider {
  private readonly base: string;
  private readonly doFetch: typeof fetch;

  constructor(private readonly opts: SmsRuOptions) {
    this.base = opts.url.replace(/\/+$/, '');
    this.doFetch = opts.fetch ?? fetch;
  }

  async send(phone: string, text: string): Promise<SendOutcome> {
    const to = toSmsRuPhone(phone);
    if (!to) return { kind: 'failed', error: 'Номер телефона не похож на российский (+7XXXXXXXXXX): исправьте номер пациента.' };
    const form = new URLSearchParams({ api_id: this.opts.apiId, to, msg: text, json: '1' });
    if (this.opts.sender) form.set('from', this.opts.sender);
    const res = await this.post('/sms/send', form);
    if (res.kind !== 'ok') return res.outcome;
    const body = res.body;
    if (body.status !== 'OK') {
      const outcome = classify(codeOf(body.status_code), body.status_text);
      log.warn({ code: body.status_code, outcome: outcome.kind, phone: maskPhone(to) }, 'SMS.ru refused the request');
      return outcome;
    }
    // One recipient per request: the entry is keyed by the number; take the only one if the
    // provider normalised the key differently.
    const entries = Object.entries(body.sms ?? {});
    const entry = (body.sms ?? {})[to] ?? (entries.length === 1 ? entries[0]?.[1] : undefined);
    if (!entry) return { kind: 'retry', error: 'SMS.ru не вернул результат по номеру: повторим отправку.' };
    if (entry.status === 'OK' && entry.sms_id) return { kind: 'sent', providerMessageId: String(entry.sms_id) };
    const outcome = classify(codeOf(entry.status_code), entry.status_text);
    log.warn({ code: entry.status_code, outcome: outcome.kind, phone: maskPhone(to) }, 'SMS.ru refused the message');
    return outcome;
  }

  async status(ids: readonly string[]): Promise<Map<string, DeliveryReport>> {
    const out = new Map<string, DeliveryReport>();
    if (ids.length === 0) return out;
    const res = await this.post('/sms/status', new URLSearchParams({ api_id: this.opts.apiId, sms_id: ids.join(','), json: '1' }));
    if (res.kind !== 'ok') throw new Error(res.outcome.error);
    if (res.body.status !== 'OK') throw new Error(reason(codeOf(res.body.status_code), res.body.status_text));
    for (const [id, entry] of Object.entries(res.body.sms ?? {})) {
      // A per-id ERROR (unknown id) is no report: the dispatcher stops asking after a while.
      if (entry.status !== 'OK') continue;
      const code = codeOf(entry.status_code);
      if (code !== null && DELIVERED.has(code)) out.set(id, { state: 'delivered' });
      else if (code !== null && UNDELIVERED[code]) out.set(id, { state: 'undelivered', error: `${capitalise(UNDELIVERED[code])} (код ${code}).` });
      else out.set(id, { state: 'pending' });
    }
    return out;
  }

  /** One POST with a timeout; transport failures come back as a retry outcome, never thrown. */
  private async post(path: string, form: URLSearchParams): Promise<{ kind: 'ok'; body: SmsRuResponse } | { kind: 'error'; outcome: Exclude<SendOutcome, { kind: 'sent' }> }> {
    let res: Response;
    try {
      res = await this.doFetch(this.base + path, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', accept: 'application/json' },
        body: form.toString(),
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      // Only the error's class goes to the log: its message could quote the request.
      log.warn({ path, timedOut, errName: err instanceof Error ? err.name : typeof err }, 'SMS.ru unreachable');
      return {
        kind: 'error',
        outcome: { kind: 'retry', error: timedOut ? `SMS.ru не ответил за ${this.opts.timeoutMs} мс: повторим отправку.` : 'Нет связи с SMS.ru: повторим отправку.' },
      };
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      const retry = res.status >= 500 || res.status === 429 || res.status === 408;
      log.warn({ path, httpStatus: res.status }, 'SMS.ru answered with an HTTP error');
      const error =
        res.status === 429 ? 'SMS.ru ограничил частоту запросов (HTTP 429): повторим отправку.' : `SMS.ru ответил ошибкой HTTP ${res.status}${retry ? ': повторим отправку.' : '.'}`;
      return { kind: 'error', outcome: retry ? { kind: 'retry', error } : { kind: 'failed', error } };
    }
    try {
      return { kind: 'ok', body: (await res.json()) as SmsRuResponse };
    } catch {
      // A proxy's error page or a cut-off body: the provider's answer is unknown, try again.
      return { kind: 'error', outcome: { kind: 'retry', error: 'SMS.ru вернул ответ не в формате JSON: повторим отправку.' } };
    }
  }
}

function capitalise(s: string | undefined): string {
  return s ? s.charAt(0).toUpperCase() + s.slice(1) : '';
}
