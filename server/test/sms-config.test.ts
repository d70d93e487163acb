import { describe, expect, it } from 'vitest';
import { loadConfig, loadSmsConfig } from '../config.js';
import { createSmsGateway } from '../sms/index.js';
import { OutboxSmsGateway } from '../sms/gateway.js';
import { HttpSmsGateway } from '../sms/http-gateway.js';
import { classify, toSmsRuPhone } from '../sms/smsru.js';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/** SMS settings, the refusal of unusable ones, and the SMS.ru adapter's pure parts. */
describe('SMS configuration', () => {
  it('defaults to the outbox', () => {
    expect(loadSmsConfig({})).toMatchObject({ provider: 'outbox', ratePerSecond: 5, maxAttempts: 6, timeoutMs: 10_000 });
    expect(loadConfig({}).sms?.provider).toBe('outbox');
  });

  it('reads SMS.ru settings', () => {
    const c = loadSmsConfig({ OBLAKO_SMS_PROVIDER: 'smsru', OBLAKO_SMS_API_ID: 'key', OBLAKO_SMS_SENDER: 'Oblako', OBLAKO_SMS_RATE: '2', OBLAKO_SMS_MAX_ATTEMPTS: '4', OBLAKO_SMS_TIMEOUT_MS: '5000' });
    expect(c).toEqual({ provider: 'smsru', url: 'https://sms.ru', apiId: 'key', sender: 'Oblako', ratePerSecond: 2, maxAttempts: 4, timeoutMs: 5000 });
    expect(loadSmsConfig({ OBLAKO_SMS_PROVIDER: 'smsru', OBLAKO_SMS_API_ID: 'key', OBLAKO_SMS_URL: 'http://127.0.0.1:9999' }).url).toBe('http://127.0.0.1:9999');
  });

  it('refuses to start without a key, with clear-text http to another host, or with nonsense', () => {
    expect(() => loadSmsConfig({ OBLAKO_SMS_PROVIDER: 'smsru' })).toThrow(/OBLAKO_SMS_API_ID/);
    expect(() => loadSmsConfig({ OBLAKO_SMS_PROVIDER: 'smsru', OBLAKO_SMS_API_ID: 'k', OBLAKO_SMS_URL: 'http://sms.ru' })).toThrow(/https:\/\//);
    expect(() => loadSmsConfig({ OBLAKO_SMS_PROVIDER: 'smsru', OBLAKO_SMS_API_ID: 'k', OBLAKO_SMS_URL: '' })).toThrow(/не является адресом/);
    expect(() => loadSmsConfig({ OBLAKO_SMS_PROVIDER: 'smsru', OBLAKO_SMS_API_ID: 'k', OBLAKO_SMS_URL: 'https://u:p@sms.ru' })).toThrow(/без логина/);
    expect(() => loadSmsConfig({ OBLAKO_SMS_PROVIDER: 'twilio' })).toThrow(/outbox или smsru/);
    expect(() => loadSmsConfig({ OBLAKO_SMS_RATE: '0' })).toThrow(/OBLAKO_SMS_RATE/);
  });

  it('builds the gateway the configuration asks for', () => {
    const db = {} as Kysely<Database>;
    const base = loadConfig({});
    const outbox = createSmsGateway(base, db);
    expect(outbox.gateway).toBeInstanceOf(OutboxSmsGateway);
    expect(outbox.dispatcher).toBeNull();
    const smsru = createSmsGateway({ ...base, sms: loadSmsConfig({ OBLAKO_SMS_PROVIDER: 'smsru', OBLAKO_SMS_API_ID: 'k' }) }, db);
    expect(smsru.gateway).toBeInstanceOf(HttpSmsGateway);
    expect(smsru.dispatcher).not.toBeNull();
  });
});

describe('SMS.ru adapter', () => {
  it('writes numbers as 7XXXXXXXXXX', () => {
    expect(toSmsRuPhone('+7 (916) 123-45-67')).toBe('79161234567');
    expect(toSmsRuPhone('89161234567')).toBe('79161234567');
    expect(toSmsRuPhone('+44 20 7946 0958')).toBeNull();
  });

  it('classifies provider codes', () => {
    expect(classify(220)).toMatchObject({ kind: 'retry' });
    expect(classify(500)).toMatchObject({ kind: 'retry' });
    expect(classify(231)).toMatchObject({ kind: 'retry' });
    expect(classify(201)).toEqual({ kind: 'failed', error: 'На счёте SMS.ru недостаточно средств: пополните баланс и отправьте SMS повторно (код 201).' });
    expect(classify(204)).toMatchObject({ kind: 'failed', error: expect.stringMatching(/OBLAKO_SMS_SENDER/) });
    expect(classify(299, 'Что-то новое')).toEqual({ kind: 'failed', error: 'SMS.ru: Что-то новое (код 299).' });
    expect(classify(null)).toMatchObject({ kind: 'retry' });
  });
});
