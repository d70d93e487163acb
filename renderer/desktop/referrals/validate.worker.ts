import { validateDraftRows } from '../../../shared/referral/draft-validate';
import type { ValidateRequest, ValidateResponse } from './use-draft-validation';

/** Checks a draft off the UI thread: 10,000 rows take a few hundred milliseconds. */
self.onmessage = (e: MessageEvent<ValidateRequest>) => {
  const { seq, rows, today } = e.data;
  const issues = validateDraftRows(rows, today ? { today } : {});
  const answer: ValidateResponse = { seq, issues: [...issues.entries()] };
  self.postMessage(answer);
};
