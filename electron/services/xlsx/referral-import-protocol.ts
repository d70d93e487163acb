import type { AnalyseOptions, ReferralAnalysis } from '../../../shared/referral/analyse.js';
import type { ReferralFileErrorCode } from '../../../shared/referral/codes.js';
import type { ReadLimits } from '../../../shared/referral/read-xlsx.js';

/** Messages between the import runner and its worker thread. */
export type ImportStage = 'read' | 'parse' | 'analyse';

export interface ImportWorkerInput {
  /** Either a path the worker reads itself (no copy through the main thread) or the bytes. */
  path?: string;
  bytes?: ArrayBuffer;
  limits?: Partial<ReadLimits>;
  options?: Pick<AnalyseOptions, 'mapping' | 'today' | 'unknownIcd10' | 'keepRaw'>;
}

export type ImportWorkerMessage =
  | { type: 'progress'; stage: ImportStage; done: number; total: number }
  | { type: 'result'; analysis: ReferralAnalysis }
  | { type: 'error'; code: ReferralFileErrorCode; message: string };
