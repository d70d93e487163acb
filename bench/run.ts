import { benchDesktopSync, type DesktopSyncFigures } from './desktop-sync.js';
import { benchSync, type SyncFigures } from './server-sync.js';

/**
 * `npm run bench [-- --quick] [-- --only=server|desktop|bulk-import|load|call]`: prints figures next to baselines
 * measured in the same run. Quick mode (CI) uses smaller sizes; both print the same tables. The load
 * benchmark is the one hard gate: an error or a lost write exits 1 (its timing never does).
 */
const quick = process.argv.includes('--quick');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length) ?? null;
const records = quick ? 2000 : 10_000;
const mutations = quick ? 200 : 1000;
const desktopPatients = quick ? 2000 : 10_000;
const desktopChanges = 100;

const fmt = (x: number) => Math.round(x).toLocaleString('ru-RU');
const mode = quick ? 'быстрый режим' : 'полный режим';

async function server(): Promise<void> {
  const rows: SyncFigures[] = [];
  for (const engine of ['sqlite', 'postgres'] as const) rows.push(await benchSync(engine, records, mutations));
  console.log(`\nСинхронизация центрального API (${mode}): pull ${records} записей, push ${mutations} мутаций`);
  console.log('engine     | raw insert, rows/s | pull, records/s (ms)   | push, mutations/s (ms) | pull ÷ raw');
  for (const r of rows) {
    console.log(
      `${r.engine.padEnd(10)} | ${fmt(r.rawInsertPerSec).padStart(18)} | ${`${fmt(r.pullPerSec)} (${fmt(r.pullMs)})`.padStart(22)} | ${`${fmt(r.pushPerSec)} (${fmt(r.pushMs)})`.padStart(22)} | ${(r.pullPerSec / r.rawInsertPerSec).toFixed(2)}`,
    );
  }
}

async function desktop(): Promise<void> {
  const r: DesktopSyncFigures = await benchDesktopSync(desktopPatients, desktopChanges);
  console.log(`\nСинхронизация рабочего места (${mode}): ${r.patients} пациентов с заявками = ${r.records} записей в пустое локальное хранилище`);
  console.log('                         | records/s | ms');
  console.log(`raw insert (baseline)    | ${fmt(r.rawInsertPerSec).padStart(9)} | ${fmt(r.rawInsertMs)}`);
  console.log(`cold sync (HTTP + store) | ${fmt(r.coldPerSec).padStart(9)} | ${fmt(r.coldMs)}`);
  console.log(`incremental, ${String(r.incrementalChanges).padEnd(3)} changes | ${fmt(r.incrementalChanges / (r.incrementalMs / 1000)).padStart(9)} | ${fmt(r.incrementalMs)}`);
  console.log(`cold sync ÷ raw insert: ${(r.coldPerSec / r.rawInsertPerSec).toFixed(2)}`);
}

async function main(): Promise<void> {
  if (only !== null && !['server', 'desktop', 'bulk-import', 'load', 'call'].includes(only)) throw new Error('--only takes server, desktop, bulk-import, load or call');
  if (only === null || only === 'server') await server();
  if (only === null || only === 'desktop') await desktop();
  if (only === null) (await import('./referral-import.js')).runReferralImportBench(quick);
  // In its own child processes (like referral-import), so its peak memory is its own.
  if (only === null || only === 'bulk-import') (await import('./bulk-import.js')).runBulkImportBench(quick);
  if (only === null || only === 'call') await (await import('./call-setup.js')).runCallSetupBench(quick);
  // Errors or lost writes under load fail the run (CI included); latency targets only print PASS/FAIL.
  if ((only === null || only === 'load') && !(await (await import('./load.js')).runLoadBench(quick))) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
