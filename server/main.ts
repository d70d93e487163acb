import { loadConfig } from './config.js';
import { buildCentralApi } from './http/app.js';
import { createLogger } from './logger.js';
import { accountsWithDemoPassword } from './startup-checks.js';
import { DEMO_ACCOUNTS, DEMO_PASSWORD, seedDemo } from './demo/seed.js';

const log = createLogger('main');

/** `npm run server [-- --demo]`: the central API alone. */
async function main(): Promise<void> {
  const config = loadConfig(process.env, process.argv.slice(2));
  if (config.production && config.demo) {
    log.fatal('demo mode is not allowed with NODE_ENV=production');
    process.exit(2);
  }
  const api = await buildCentralApi(config);
  if (config.demo) {
    const { created } = await seedDemo(api.ctx);
    log.info({ created }, 'demo mode');
  }
  if (config.production) {
    const bad = await accountsWithDemoPassword(api.ctx);
    if (bad.length > 0) {
      log.fatal({ logins: bad }, 'refusing to start in production: accounts with the demo password exist');
      await api.close();
      process.exit(2);
    }
  }
  const address = await api.app.listen({ port: config.port, host: config.host });
  log.info({ address, database: config.database.kind, dataDir: config.dataDir }, 'central API listening');
  // The start-up banner is for people, on stdout, once.
  process.stdout.write(
    `\nОблако здоровья — центральный API: ${address}\n` +
      `База данных: ${config.database.kind === 'sqlite' ? config.database.file : 'PostgreSQL'}\n` +
      (config.demo ? `Демо-учётные записи (пароль «${DEMO_PASSWORD}»): ${DEMO_ACCOUNTS.map((a) => a.login).join(', ')}\n` : '') +
      `READY ${address}\n`,
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    api.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  log.fatal({ err }, 'central API failed to start');
  process.exit(1);
});
