import path from 'node:path';
import { DEFAULT_PORT } from '../shared/api/contract.js';

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
}

/** Reads configuration from the environment (and `--demo`), with defaults for a local start. */
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
    importChunkRows: Math.max(1, Math.min(1000, Number(env.OBLAKO_IMPORT_CHUNK_ROWS ?? 200) || 200)),
  };
}
