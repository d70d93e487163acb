import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ReferralAnalysis } from '../../../shared/referral/analyse.js';
import { REFERRAL_FILE_ERROR_CODES, ReferralFileError } from '../../../shared/referral/codes.js';
import { createLogger } from '../logger.js';
import type { ImportStage, ImportWorkerInput, ImportWorkerMessage } from './referral-import-protocol.js';

const log = createLogger('xlsx-import');

export interface ImportProgress {
  stage: ImportStage;
  done: number;
  total: number;
}

export interface ReferralImportJob {
  result: Promise<ReferralAnalysis>;
  /** Stops the worker at once; `result` rejects with CANCELLED. Safe to call twice or after the end. */
  cancel(): void;
}

export interface StartImportOptions extends Omit<ImportWorkerInput, 'path' | 'bytes'> {
  onProgress?: (p: ImportProgress) => void;
  signal?: AbortSignal;
  /** Where the worker's entry is; by default next to this module (sources) or the bundle. */
  workerUrl?: URL;
}

/**
 * The worker entry beside this file: `.js` in a bundle — the Electron build must emit
 * `referral-import-worker.js` next to the bundle that contains this module — or `.ts` when
 * running from sources (tests, the browser-mode host under tsx). A worker does not inherit tsx's
 * loader, so a `.ts` entry is started through a two-line bootstrap that registers tsx first.
 */
function spawnWorker(input: ImportWorkerInput, transferList: ArrayBuffer[], workerUrl?: URL): Worker {
  // In a packaged app the bundle sits in app.asar, the worker script beside it in
  // app.asar.unpacked (electron-builder.yml, asarUnpack): threads load from the real file.
  const url = workerUrl ?? new URL(new URL('./referral-import-worker.js', import.meta.url).href.replace('/app.asar/', '/app.asar.unpacked/'));
  const ts = url.pathname.endsWith('.ts') || !existsSync(fileURLToPath(url));
  if (!ts) return new Worker(url, { workerData: input, transferList });
  const entry = workerUrl ?? new URL('./referral-import-worker.ts', import.meta.url);
  const tsxApi = pathToFileURL(path.join(path.dirname(createRequire(import.meta.url).resolve('tsx/esm')), 'api', 'index.mjs')).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData: input, transferList });
}

/** Parses and analyses a referral table in a worker thread, with progress and cancellation. */
export function startReferralImport(source: { path: string } | { bytes: Uint8Array }, options: StartImportOptions = {}): ReferralImportJob {
  const { onProgress, signal, workerUrl, ...rest } = options;
  const input: ImportWorkerInput = { ...rest };
  const transfer: ArrayBuffer[] = [];
  if ('path' in source) input.path = source.path;
  else {
    // A copy the worker owns: the caller's buffer stays usable. Not `.slice()`: on a Node Buffer
    // that is a view of the same (possibly pooled) memory, which the transfer would detach.
    const copy = new Uint8Array(source.bytes).buffer as ArrayBuffer;
    input.bytes = copy;
    transfer.push(copy);
  }
  const worker = spawnWorker(input, transfer, workerUrl);
  let settled = false;
  let cancel = () => {};
  const result = new Promise<ReferralAnalysis>((resolve, reject) => {
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', cancel);
      fn();
      void worker.terminate();
    };
    cancel = () => finish(() => reject(new ReferralFileError(REFERRAL_FILE_ERROR_CODES.CANCELLED, 'Импорт отменён.')));
    worker.on('message', (m: ImportWorkerMessage) => {
      if (m.type === 'progress') onProgress?.({ stage: m.stage, done: m.done, total: m.total });
      else if (m.type === 'result') finish(() => resolve(m.analysis));
      else finish(() => reject(new ReferralFileError(m.code, m.message)));
    });
    worker.on('error', (err) => {
      log.error({ err }, 'referral import worker failed');
      finish(() => reject(new ReferralFileError(REFERRAL_FILE_ERROR_CODES.UNREADABLE, 'Не удалось прочитать файл: внутренняя ошибка импорта. Попробуйте ещё раз или сохраните файл в Excel заново.')));
    });
    worker.on('exit', (code) => {
      if (!settled) finish(() => reject(new ReferralFileError(REFERRAL_FILE_ERROR_CODES.UNREADABLE, `Импорт прервался (код ${code}): попробуйте ещё раз.`)));
    });
    if (signal?.aborted) cancel();
    else signal?.addEventListener('abort', cancel, { once: true });
  });
  return { result, cancel: () => cancel() };
}
