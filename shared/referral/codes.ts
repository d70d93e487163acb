/**
 * Stable codes of the referral-table import. Clients branch on the code, never on the message;
 * messages are Russian and say what to do next. Add codes, never rename them.
 */

/** Problems with one cell (or one row, reported on the field that decides it). */
export const REFERRAL_ERROR_CODES = {
  REQUIRED: 'REQUIRED',
  TOO_LONG: 'TOO_LONG',
  CONTROL_CHARS: 'CONTROL_CHARS',
  NAME_FORMAT: 'NAME_FORMAT',
  FULL_NAME_INCOMPLETE: 'FULL_NAME_INCOMPLETE',
  DATE_FORMAT: 'DATE_FORMAT',
  DATE_INVALID: 'DATE_INVALID',
  DATE_YEAR_ONLY: 'DATE_YEAR_ONLY',
  DATE_IN_FUTURE: 'DATE_IN_FUTURE',
  DATE_TOO_OLD: 'DATE_TOO_OLD',
  SEX_UNKNOWN: 'SEX_UNKNOWN',
  SNILS_FORMAT: 'SNILS_FORMAT',
  SNILS_CHECKSUM: 'SNILS_CHECKSUM',
  ENP_FORMAT: 'ENP_FORMAT',
  ENP_CHECKSUM: 'ENP_CHECKSUM',
  ENP_LOST_DIGITS: 'ENP_LOST_DIGITS',
  PHONE_FORMAT: 'PHONE_FORMAT',
  PHONE_NOT_MOBILE: 'PHONE_NOT_MOBILE',
  REGION_UNKNOWN: 'REGION_UNKNOWN',
  CENTRE_UNKNOWN: 'CENTRE_UNKNOWN',
  PROFILE_UNKNOWN: 'PROFILE_UNKNOWN',
  PROFILE_NOT_IN_CENTRE: 'PROFILE_NOT_IN_CENTRE',
  ICD10_FORMAT: 'ICD10_FORMAT',
  ICD10_UNKNOWN: 'ICD10_UNKNOWN',
  ICD10_PROFILE_MISMATCH: 'ICD10_PROFILE_MISMATCH',
  URGENCY_UNKNOWN: 'URGENCY_UNKNOWN',
  PREGNANCY_WEEKS_REQUIRED: 'PREGNANCY_WEEKS_REQUIRED',
  PREGNANCY_WEEKS_RANGE: 'PREGNANCY_WEEKS_RANGE',
  DUPLICATE: 'DUPLICATE',
} as const;
export type ReferralErrorCode = (typeof REFERRAL_ERROR_CODES)[keyof typeof REFERRAL_ERROR_CODES];

/** Why an input row is not a data row. Every row of the chosen sheet is either data or one of these. */
export const SKIP_REASONS = {
  /** Above the header: the table's title, the sender, the date. */
  TITLE: 'title',
  BLANK: 'blank',
  /** "Итого", "Всего". */
  TOTALS: 'totals',
  /** The header row itself, a repeated header, or a row of column numbers (1, 2, 3 …) under it. */
  HEADER: 'header',
} as const;
export type SkipReason = (typeof SKIP_REASONS)[keyof typeof SKIP_REASONS];

/** Problems with the whole file: it is not imported at all. */
export const REFERRAL_FILE_ERROR_CODES = {
  FILE_TOO_LARGE: 'FILE_TOO_LARGE',
  NOT_XLSX: 'NOT_XLSX',
  ENCRYPTED_OR_XLS: 'ENCRYPTED_OR_XLS',
  ZIP_CORRUPT: 'ZIP_CORRUPT',
  ZIP_BOMB: 'ZIP_BOMB',
  TOO_MANY_ROWS: 'TOO_MANY_ROWS',
  UNREADABLE: 'UNREADABLE',
  NO_TABLE: 'NO_TABLE',
  CANCELLED: 'CANCELLED',
} as const;
export type ReferralFileErrorCode = (typeof REFERRAL_FILE_ERROR_CODES)[keyof typeof REFERRAL_FILE_ERROR_CODES];

/** A file-level failure as data: `{code, message}` crosses every boundary (worker, RPC, CLI). */
export class ReferralFileError extends Error {
  constructor(
    readonly code: ReferralFileErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ReferralFileError';
  }
}

/** Workbook-level notes that do not block the import (other sheets with data, unknown columns). */
export const REFERRAL_NOTICE_CODES = {
  OTHER_SHEETS_WITH_DATA: 'OTHER_SHEETS_WITH_DATA',
  UNMAPPED_COLUMNS: 'UNMAPPED_COLUMNS',
  DUPLICATE_COLUMN: 'DUPLICATE_COLUMN',
  MISSING_REQUIRED_COLUMNS: 'MISSING_REQUIRED_COLUMNS',
} as const;
export type ReferralNoticeCode = (typeof REFERRAL_NOTICE_CODES)[keyof typeof REFERRAL_NOTICE_CODES];
