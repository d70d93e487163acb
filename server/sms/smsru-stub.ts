import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { createLogger } from '../logger.js';

const log = createLogger('sms.smsru-stub');

/**
 * A local stand-in for the SMS.ru HTTP API (`/sms/send`, `/sms/status`, JSON mode), for tests and
 * for trying the provider path by hand (`npx tsx server/sms/smsru-stub.ts [port] [api_id]`).
 * It checks api_id, accepts numbers `7XXXXXXXXXX`, assigns ids, reports scripted delivery codes,
 * records every request with its arrival time, and can be told to fail the next requests.
 */
export type StubFault =
  /** HTTP 500 with an HTML body. */
  | 'http500'
  /** HTTP 429. */
  | 'http429'
  /** `{status: "ERROR", status_code: 220}`: service temporarily unavailable. */
  | 'code220'
  /** Never answers (until the stub closes): the client's timeout must fire. */
  | 'hang';

export interface StubRequest {
  path: string;
  /** Date.now() when the request arrived (before its body was read). */
  at: number;
  apiId: string | null;
  to: string | null;
  msg: string | null;
  from: string | null;
  smsIds: string[];
  /** What the stub did with it. */
  answered: StubFault | 'ok';
}

export interface StubMessage {
  id: string;
  to: string;
  msg: string;
  from: string | null;
  statusCode: number;
  sentAt: number;
}

export interface SmsRuStub {
  url: string;
  apiId: string;
  requests: StubRequest[];
  messages: Map<string, StubMessage>;
  /** Makes the next `count` requests (send or status) fail this way. */
  failNext(count: number, fault: StubFault): void;
  /** Sets the delivery code `sms/status` reports for an id (103 delivered, 104 undelivered, …). */
  setStatus(id: string, code: number): void;
  /** Numbers the stub answers with a per-number error (default: 202 for anything not `7XXXXXXXXXX`). */
  rejectNumber(to: string, code: number, text: string): void;
  sendRequests(): StubRequest[];
  close(): Promise<void>;
}

/** `deliverAfterMs`: report 103 (delivered) for messages at least this old, unless a status was set (for use by hand). */
export async function startSmsRuStub(opts: { apiId?: string; port?: number; host?: string; deliverAfterMs?: number } = {}): Promise<SmsRuStub> {
  const apiId = opts.apiId ?? 'STUB-API-ID';
  const requests: StubRequest[] = [];
  const messages = new Map<string, StubMessage>();
  const faults: StubFault[] = [];
  const rejected = new Map<string, { code: number; text: string }>();
  const hanging = new Set<http.ServerResponse>();
  let seq = 0;

  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  };

  const server = http.createServer((req, res) => {
    const at = Date.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://stub');
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      for (const [k, v] of url.searchParams) if (!form.has(k)) form.set(k, v);
      const fault = faults.shift();
      const record: StubRequest = {
        path: url.pathname,
        at,
        apiId: form.get('api_id'),
        to: form.get('to'),
        msg: form.get('msg'),
        from: form.get('from'),
        smsIds: (form.get('sms_id') ?? '').split(',').filter(Boolean),
        answered: fault ?? 'ok',
      };
      requests.push(record);
      if (fault === 'hang') {
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      if (fault === 'http500') {
        res.writeHead(500, { 'content-type': 'text/html' });
        res.end('<html><body>Internal Server Error</body></html>');
        return;
      }
      if (fault === 'http429') {
        res.writeHead(429, { 'retry-after': '1' });
        res.end();
        return;
      }
      if (fault === 'code220') return json(res, 200, { status: 'ERROR', status_code: 220, status_text: 'Сервис временно недоступен, попробуйте чуть позже' });
      if (req.method !== 'POST') return json(res, 200, { status: 'ERROR', status_code: 210, status_text: 'Используется GET, где необходимо использовать POST' });
      if (record.apiId !== apiId) return json(res, 200, { status: 'ERROR', status_code: 200, status_text: 'Неправильный api_id' });

      if (url.pathname === '/sms/send') {
        const to = record.to ?? '';
        if (!record.msg) return json(res, 200, { status: 'ERROR', status_code: 203, status_text: 'Нет текста сообщения' });
        const reject = rejected.get(to) ?? (/^7\d{10}$/.test(to) ? undefined : { code: 202, text: 'Неправильно указан номер телефона получателя, либо на него нет маршрута' });
        if (reject) return json(res, 200, { status: 'OK', status_code: 100, sms: { [to]: { status: 'ERROR', status_code: reject.code, status_text: reject.text } }, balance: 100 });
        seq += 1;
        const id = `000000-${String(10_000_000 + seq)}`;
        messages.set(id, { id, to, msg: record.msg, from: record.from, statusCode: 100, sentAt: at });
        return json(res, 200, { status: 'OK', status_code: 100, sms: { [to]: { status: 'OK', status_code: 100, sms_id: id } }, balance: 100 });
      }
      if (url.pathname === '/sms/status') {
        const sms: Record<string, unknown> = {};
        for (const id of record.smsIds) {
          const m = messages.get(id);
          if (m && m.statusCode === 100 && opts.deliverAfterMs !== undefined && Date.now() - m.sentAt >= opts.deliverAfterMs) m.statusCode = 103;
          sms[id] = m
            ? { status: 'OK', status_code: m.statusCode, status_text: STATUS_TEXT[m.statusCode] ?? 'Статус', cost: 0.5 }
            : { status: 'ERROR', status_code: -1, status_text: 'Сообщение не найдено' };
        }
        return json(res, 200, { status: 'OK', status_code: 100, sms, balance: 100 });
      }
      json(res, 200, { status: 'ERROR', status_code: 211, status_text: 'Метод не найден' });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${addr.port}`,
    apiId,
    requests,
    messages,
    failNext: (count, fault) => {
      for (let i = 0; i < count; i++) faults.push(fault);
    },
    setStatus: (id, code) => {
      const m = messages.get(id);
      if (!m) throw new Error(`stub: no message ${id}`);
      m.statusCode = code;
    },
    rejectNumber: (to, code, text) => void rejected.set(to, { code, text }),
    sendRequests: () => requests.filter((r) => r.path === '/sms/send'),
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const STATUS_TEXT: Record<number, string> = {
  100: 'Сообщение находится в нашей очереди',
  101: 'Сообщение передается оператору',
  102: 'Сообщение отправлено (в пути)',
  103: 'Сообщение доставлено',
  104: 'Не может быть доставлено: время жизни истекло',
  105: 'Не может быть доставлено: удалено оператором',
  106: 'Не может быть доставлено: сбой в телефоне',
  107: 'Не может быть доставлено: неизвестная причина',
  108: 'Не может быть доставлено: отклонено',
  110: 'Сообщение прочитано',
  150: 'Не может быть доставлено: не найден маршрут на данный номер',
};

// By hand: `npx tsx server/sms/smsru-stub.ts [port] [api_id]`, then OBLAKO_SMS_URL=http://127.0.0.1:<port>.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const stub = await startSmsRuStub({ port: Number(process.argv[2] ?? 0), apiId: process.argv[3] ?? 'STUB-API-ID', deliverAfterMs: 5_000 });
  log.info({ url: stub.url }, 'SMS.ru stub listening (api_id as given on the command line; messages report delivered after 5 s)');
}
