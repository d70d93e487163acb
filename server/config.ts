import path from 'node:path';
import { DEFAULT_PORT } from '../shared/api/contract.js';
import { isLoopback } from '../shared/domain/server-url.js';

export type DatabaseKind = 'sqlite' | 'postgres';

export interface ServerConfig {
  port: number;
  host: string;
  dataDir: string;
  database: { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };
  /** Demo mode seeds demo accounts; production refuses to start if a demo password is present. */
  demo: boolean;
  production: boolean;
  sessionTtlHours: number;
  bodyLimitBytes: number;
  /** Where patients sign in (named in the credentials SMS). */
  publicUrl: string;
  /** Rows per transaction of the bulk import. */
  importChunkRows: number;
  /**
   * Multiplies every route's rate limit (default 1). Test suites and load benchmarks sign in far
   * more often from one address than people do, and raise it explicitly.
   */
  rateLimitFactor?: number;
  /** How SMS leave the server; absent means the outbox (hand-built test configs). */
  sms?: SmsConfig;
  /** Video calls: ICE servers and the room's time window; absent means the defaults (hand-built test configs). */
  call?: CallConfig;
}

/**
 * Video calls. ICE servers come from configuration only (the centre's own STUN/TURN; no public
 * defaults: an empty list means direct connections only, as on one network or this machine).
 */
export interface CallConfig {
  /** STUN/TURN URLs from OBLAKO_ICE_SERVERS (comma-separated). */
  iceUrls: string[];
  /** coturn's `static-auth-secret`: TURN credentials are made per ticket and expire (OBLAKO_TURN_SECRET). */
  turnSecret: string;
  /** How long TURN credentials live beyond the consultation's end (seconds). */
  turnTtlSeconds: number;
  /** Only relayed candidates (OBLAKO_ICE_RELAY_ONLY=1): neither side learns the other's address. */
  relayOnly: boolean;
  /** The room opens this many minutes before the start (OBLAKO_CALL_EARLY_MINUTES)… */
  earlyMinutes: number;
  /** …and closes this many after the scheduled end (OBLAKO_CALL_LATE_MINUTES). */
  lateMinutes: number;
}

export const DEFAULT_CALL_CONFIG: CallConfig = { iceUrls: [], turnSecret: '', turnTtlSeconds: 3600, relayOnly: false, earlyMinutes: 15, lateMinutes: 30 };

/** Call settings from OBLAKO_ICE_* / OBLAKO_TURN_* / OBLAKO_CALL_*; refuses settings that could not work. */
export function loadCallConfig(env: NodeJS.ProcessEnv): CallConfig {
  const iceUrls = (env.OBLAKO_ICE_SERVERS ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  for (const u of iceUrls) {
    if (!/^(stun|turns?):[^\s]+$/.test(u)) throw new Error(`OBLAKO_ICE_SERVERS: «${u}» не похож на адрес STUN/TURN (stun:host:port, turn:host:port?transport=udp, turns:host:port).`);
  }
  const relayOnly = env.OBLAKO_ICE_RELAY_ONLY === '1';
  const turnSecret = (env.OBLAKO_TURN_SECRET ?? '').trim();
  if (relayOnly && !iceUrls.some((u) => u.startsWith('turn'))) {
    throw new Error('OBLAKO_ICE_RELAY_ONLY=1 требует хотя бы один сервер TURN в OBLAKO_ICE_SERVERS.');
  }
  if (iceUrls.some((u) => u.startsWith('turn')) && !turnSecret) {
    throw new Error('Для серверов TURN в OBLAKO_ICE_SERVERS задайте OBLAKO_TURN_SECRET (static-auth-secret сервера coturn).');
  }
  return {
    iceUrls,
    turnSecret,
    relayOnly,
    turnTtlSeconds: Math.round(positive(env, 'OBLAKO_TURN_TTL_SECONDS', DEFAULT_CALL_CONFIG.turnTtlSeconds, 86_400)),
    earlyMinutes: Math.round(positive(env, 'OBLAKO_CALL_EARLY_MINUTES', DEFAULT_CALL_CONFIG.earlyMinutes, 24 * 60)),
    lateMinutes: Math.round(positive(env, 'OBLAKO_CALL_LATE_MINUTES', DEFAULT_CALL_CONFIG.lateMinutes, 24 * 60)),
  };
}

/**
 * `outbox` keeps messages in `sms_outbox` (and a masked log) for someone to send by hand;
 * `smsru` sends them through SMS.ru's HTTP API with the dispatcher.
 */
export interface SmsConfig {
  provider: 'outbox' | 'smsru';
  /** The provider's base address (`https://sms.ru`); plain http only for this machine (the stub). */
  url: string;
  /** The provider credential (SMS.ru api_id). Never logged. */
  apiId: string;
  /** Approved sender name; empty for the account's default. */
  sender: string;
  ratePerSecond: number;
  maxAttempts: number;
  timeoutMs: number;
}

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || n > max) throw new Error(`${name} должно быть числом от 0 до ${max}, получено «${raw}».`);
  return n;
}

/** SMS settings from OBLAKO_SMS_*; refuses a provider that could not work or would send credentials in clear text. */
export function loadSmsConfig(env: NodeJS.ProcessEnv): SmsConfig {
  const provider = (env.OBLAKO_SMS_PROVIDER ?? 'outbox').trim().toLowerCase();
  if (provider !== 'outbox' && provider !== 'smsru') {
    throw new Error(`OBLAKO_SMS_PROVIDER должен быть outbox или smsru, получено «${env.OBLAKO_SMS_PROVIDER}».`);
  }
  const config: SmsConfig = {
    provider,
    url: (env.OBLAKO_SMS_URL ?? (provider === 'smsru' ? 'https://sms.ru' : '')).trim(),
    apiId: (env.OBLAKO_SMS_API_ID ?? '').trim(),
    sender: (env.OBLAKO_SMS_SENDER ?? '').trim(),
    ratePerSecond: positive(env, 'OBLAKO_SMS_RATE', 5, 1000),
    maxAttempts: Math.round(positive(env, 'OBLAKO_SMS_MAX_ATTEMPTS', 6, 100)),
    timeoutMs: Math.round(positive(env, 'OBLAKO_SMS_TIMEOUT_MS', 10_000, 300_000)),
  };
  if (provider === 'smsru') {
    if (!config.apiId) throw new Error('OBLAKO_SMS_PROVIDER=smsru, но не задан OBLAKO_SMS_API_ID (api_id из личного кабинета SMS.ru).');
    let url: URL;
    try {
      url = new URL(config.url);
    } catch {
      throw new Error(`OBLAKO_SMS_URL не является адресом: «${config.url}».`);
    }
    if (url.username || url.password || url.search || url.hash) throw new Error('OBLAKO_SMS_URL: укажите только адрес сервиса, без логина, параметров и «#».');
    // The api_id and one-time passwords travel in the request: clear text only to this machine.
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
      throw new Error(`OBLAKO_SMS_URL должен начинаться с https:// (http:// допустим только для 127.0.0.1/localhost), получено «${config.url}».`);
    }
  }
  return config;
}

/** Reads configuration from the environment (and `--demo`), with defaults for a local start. */
/**
 * Rows per import transaction: larger chunks mean fewer commits (500 took a 100,000-row import
 * under a minute here, 200 did not), smaller ones a quicker stop when the manager cancels.
 */
export function importChunkRows(env: NodeJS.ProcessEnv): number {
  return Math.max(1, Math.min(2000, Number(env.OBLAKO_IMPORT_CHUNK_ROWS ?? 500) || 500));
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, argv: readonly string[] = []): ServerConfig {
  const dataDir = path.resolve(env.OBLAKO_DATA_DIR ?? path.join(process.cwd(), '.data', 'server'));
  const url = env.DATABASE_URL;
  const database: ServerConfig['database'] =
    url && /^postgres(ql)?:\/\//.test(url)
      ? { kind: 'postgres', url }
      : { kind: 'sqlite', file: path.join(dataDir, 'oblako.sqlite') };
  const port = Number(env.PORT ?? DEFAULT_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be 0–65535, got ${env.PORT}`);
  return {
    port,
    host: env.HOST ?? '127.0.0.1',
    dataDir,
    database,
    demo: argv.includes('--demo') || env.OBLAKO_DEMO === '1',
    production: env.NODE_ENV === 'production',
    sessionTtlHours: Number(env.OBLAKO_SESSION_TTL_HOURS ?? 12),
    bodyLimitBytes: Number(env.OBLAKO_BODY_LIMIT ?? 1_048_576),
    publicUrl: env.OBLAKO_PUBLIC_URL ?? `http://127.0.0.1:${DEFAULT_PORT}/`,
    importChunkRows: importChunkRows(env),
    rateLimitFactor: Math.max(1, Number(env.OBLAKO_RATE_LIMIT_FACTOR ?? 1) || 1),
    sms: loadSmsConfig(env),
    call: loadCallConfig(env),
  };
}
