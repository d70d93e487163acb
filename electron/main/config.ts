import { z } from 'zod';
import { normalizeServerUrl } from '../../shared/domain/server-url.js';

export { normalizeServerUrl };

/**
 * Where the desktop app finds its central API. Pure: `main.ts` reads the environment and the
 * file and passes their contents in, so the precedence is unit-tested without Electron.
 *
 * Precedence: `OBLAKO_SERVER_URL` → `config.json` in the userData directory → the local
 * development server. An invalid value is reported and skipped, never half-used.
 */

export const DEFAULT_SERVER_URL = 'http://127.0.0.1:8780';
export const CONFIG_FILE_NAME = 'config.json';

export interface DesktopConfig {
  /** Origin-only base URL of the central API, no trailing slash. */
  serverUrl: string;
  /** Hosts (besides the central API's) whose https links may open in the system browser. */
  externalHosts: string[];
  /** Human-readable problems found while reading the configuration, for the log. */
  warnings: string[];
}

const ConfigFile = z.object({
  serverUrl: z.string().optional(),
  externalHosts: z.array(z.string().regex(/^[a-z0-9.-]+$/i).max(253)).max(50).optional(),
});

export function resolveDesktopConfig(input: { env: Record<string, string | undefined>; configFileText: string | null }): DesktopConfig {
  const warnings: string[] = [];
  let fromFile: z.infer<typeof ConfigFile> = {};
  if (input.configFileText !== null) {
    try {
      const parsed = ConfigFile.safeParse(JSON.parse(input.configFileText));
      if (parsed.success) fromFile = parsed.data;
      else warnings.push(`${CONFIG_FILE_NAME}: неверный формат, файл пропущен`);
    } catch {
      warnings.push(`${CONFIG_FILE_NAME}: не JSON, файл пропущен`);
    }
  }

  const candidates: [string, string | undefined][] = [
    ['OBLAKO_SERVER_URL', input.env.OBLAKO_SERVER_URL],
    [CONFIG_FILE_NAME, fromFile.serverUrl],
  ];
  let serverUrl = DEFAULT_SERVER_URL;
  for (const [source, value] of candidates) {
    if (value === undefined || value === '') continue;
    const normalized = normalizeServerUrl(value);
    if (normalized) {
      serverUrl = normalized;
      break;
    }
    warnings.push(`${source}: «${value}» — не адрес сервера вида https://oblako.example.ru, пропущен`);
  }
  return { serverUrl, externalHosts: (fromFile.externalHosts ?? []).map((h) => h.toLowerCase()), warnings };
}

/** The electron-updater generic feed served by the central API. */
export function updateFeedUrl(serverUrl: string): string {
  return `${serverUrl}/api/updates/`;
}
