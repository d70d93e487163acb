import { parseArgs } from 'node:util';
import { UserCreate } from '../../shared/domain/users.js';
import { loadConfig } from '../config.js';
import { createUser } from '../auth/accounts.js';
import { verifyAuditChain } from '../audit/audit-log.js';
import { openDatabase } from '../db/connection.js';
import { migrateToLatest } from '../db/migrate.js';
import { seedDemo } from '../demo/seed.js';
import { PokeHub } from '../ws/poke-hub.js';
import type { AppContext } from '../context.js';
import { IMPORT_USAGE, runReferralImport } from './referral-import.js';
import { RELEASE_USAGE, runPublishRelease, runReleaseKeygen } from './release.js';

/**
 * `npm run admin -- <command>`: migrate, create-user, seed-demo, verify-audit, import,
 * release-keygen, publish-release.
 * Results go to stdout (JSON with --json); errors to stderr with a non-zero exit code.
 */
const USAGE = `Использование: npm run admin -- <команда> [параметры]
  migrate                       применить миграции базы данных
  create-user --login L --role R --name "ФИО" [--centre bakulev|kulakov] [--duty]
                                создать пользователя (пароль читается из OBLAKO_NEW_PASSWORD или stdin)
  seed-demo                     создать демо-учётные записи и демо-данные
  verify-audit [--json]         проверить целостность цепочки журнала аудита
${IMPORT_USAGE}
${RELEASE_USAGE}`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

async function main(): Promise<number> {
  const [command, ...rest] = process.argv.slice(2);
  // A dry run reads a file and touches no database: it must work without a configured one.
  if (command === 'import') return runReferralImport(rest);
  // Key generation touches no database either (it is best done on an offline machine).
  if (command === 'release-keygen') return runReleaseKeygen(rest);
  const config = loadConfig();
  const db = openDatabase(config.database);
  const ctx: AppContext = { config, db, pokes: new PokeHub() };
  try {
    switch (command) {
      case 'migrate': {
        const applied = await migrateToLatest(db);
        process.stdout.write(applied.length ? `Применены миграции: ${applied.join(', ')}\n` : 'База данных уже в актуальном состоянии.\n');
        return 0;
      }
      case 'create-user': {
        const { values } = parseArgs({
          args: rest,
          options: { login: { type: 'string' }, role: { type: 'string' }, name: { type: 'string' }, centre: { type: 'string' }, duty: { type: 'boolean' } },
        });
        await migrateToLatest(db);
        const password = process.env.OBLAKO_NEW_PASSWORD ?? (await readStdin());
        const parsed = UserCreate.safeParse({
          login: values.login,
          password,
          role: values.role,
          fullName: values.name,
          centre: values.centre ?? null,
          isDuty: values.duty ?? false,
        });
        if (!parsed.success) {
          process.stderr.write(`Ошибка: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}\n`);
          return 2;
        }
        const user = await createUser(db.kysely, parsed.data, null);
        process.stdout.write(`${JSON.stringify(user)}\n`);
        return 0;
      }
      case 'seed-demo': {
        await migrateToLatest(db);
        const { created } = await seedDemo(ctx);
        process.stdout.write(created ? 'Демо-данные созданы.\n' : 'Демо-данные уже есть.\n');
        return 0;
      }
      case 'verify-audit': {
        const result = await verifyAuditChain(db.kysely);
        if (rest.includes('--json')) process.stdout.write(`${JSON.stringify(result)}\n`);
        else if (result.ok) process.stdout.write(`Журнал аудита цел: проверено событий — ${result.checked}.\n`);
        else process.stdout.write(`ЖУРНАЛ АУДИТА ПОВРЕЖДЁН: ${result.reason} (событие №${result.firstBadSeq}).\n`);
        return result.ok ? 0 : 3;
      }
      case 'publish-release': {
        await migrateToLatest(db);
        return await runPublishRelease(rest, { dataDir: config.dataDir, db: db.kysely });
      }
      default:
        process.stderr.write(`${USAGE}\n`);
        return command ? 2 : 0;
    }
  } finally {
    await db.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`Ошибка: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
