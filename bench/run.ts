import { benchSync, type SyncFigures } from './server-sync.js';

/**
 * `npm run bench [-- --quick]`: prints figures next to baselines measured in the same run.
 * Quick mode (CI) uses smaller sizes; both print the same table.
 */
const quick = process.argv.includes('--quick');
const records = quick ? 2000 : 10_000;
const mutations = quick ? 200 : 1000;

const fmt = (x: number) => Math.round(x).toLocaleString('ru-RU');

async function main(): Promise<void> {
  const rows: SyncFigures[] = [];
  for (const engine of ['sqlite', 'postgres'] as const) rows.push(await benchSync(engine, records, mutations));
  console.log(`\nСинхронизация центрального API (${quick ? 'быстрый режим' : 'полный режим'}): pull ${records} записей, push ${mutations} мутаций`);
  console.log('engine     | raw insert, rows/s | pull, records/s (ms)   | push, mutations/s (ms) | pull ÷ raw');
  for (const r of rows) {
    console.log(
      `${r.engine.padEnd(10)} | ${fmt(r.rawInsertPerSec).padStart(18)} | ${`${fmt(r.pullPerSec)} (${fmt(r.pullMs)})`.padStart(22)} | ${`${fmt(r.pushPerSec)} (${fmt(r.pushMs)})`.padStart(22)} | ${(r.pullPerSec / r.rawInsertPerSec).toFixed(2)}`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
