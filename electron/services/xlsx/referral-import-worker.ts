import { readFile } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { analyseWorkbook } from '../../../shared/referral/analyse.js';
import { REFERRAL_FILE_ERROR_CODES, ReferralFileError } from '../../../shared/referral/codes.js';
import { DEFAULT_READ_LIMITS, readXlsx } from '../../../shared/referral/read-xlsx.js';
import type { ImportWorkerInput, ImportWorkerMessage } from './referral-import-protocol.js';

/**
 * Worker-thread entry: reads, guards, parses and analyses one referral table off the main
 * thread, posting progress as it goes. Cancelled by terminating the thread: it writes nothing,
 * so there is no half-written state to clean up.
 */
const port = parentPort;
if (!port) throw new Error('referral-import-worker must run in a worker thread');
const post = (m: ImportWorkerMessage) => port.postMessage(m);

async function run(input: ImportWorkerInput): Promise<void> {
  const limits = { ...DEFAULT_READ_LIMITS, ...input.limits };
  post({ type: 'progress', stage: 'read', done: 0, total: 1 });
  let bytes: Uint8Array;
  if (input.path !== undefined) {
    try {
      bytes = new Uint8Array(await readFile(input.path));
    } catch {
      throw new ReferralFileError(REFERRAL_FILE_ERROR_CODES.UNREADABLE, 'Не удалось открыть файл: проверьте, что он существует и не открыт в другой программе.');
    }
  } else bytes = new Uint8Array(input.bytes!);
  post({ type: 'progress', stage: 'parse', done: 0, total: 1 });
  const wb = await readXlsx(bytes, limits);
  const analysis = analyseWorkbook(wb.sheets, {
    ...input.options,
    date1904: wb.date1904,
    progressEvery: 2000,
    onProgress: (done, total) => post({ type: 'progress', stage: 'analyse', done, total }),
  });
  post({ type: 'result', analysis });
}

run(workerData as ImportWorkerInput).catch((err: unknown) => {
  if (err instanceof ReferralFileError) post({ type: 'error', code: err.code, message: err.message });
  else post({ type: 'error', code: REFERRAL_FILE_ERROR_CODES.UNREADABLE, message: `Не удалось прочитать файл: ${err instanceof Error ? err.message : String(err)}` });
});
