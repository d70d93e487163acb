import { z } from 'zod';
import { DOCUMENT_TYPES, type DocumentTypeCode as DocumentTypeKey } from '../reference/centres.js';
import { Id, IsoDateTime } from './ids.js';
import { Role } from './roles.js';

/**
 * Patient documents (discharge summaries, ECG, CT studies …). The bytes live on the central API,
 * content-addressed by SHA-256; what syncs to the desktop is this metadata only.
 */

/** The largest document the central API accepts (a CT study exported as a few DICOM files fits). */
export const DOCUMENT_MAX_BYTES = 50 * 1024 * 1024;

export const DocumentTypeCode = z.enum(Object.keys(DOCUMENT_TYPES) as [DocumentTypeKey, ...DocumentTypeKey[]]);
export type DocumentTypeCode = z.infer<typeof DocumentTypeCode>;

export const DOCUMENT_MIMES = ['application/pdf', 'image/jpeg', 'image/png', 'application/dicom'] as const;
export const DocumentMime = z.enum(DOCUMENT_MIMES);
export type DocumentMime = z.infer<typeof DocumentMime>;

/** Bytes needed to recognise every accepted kind (DICOM's "DICM" sits at offset 128). */
export const DOCUMENT_SNIFF_BYTES = 132;

const startsWith = (head: Uint8Array, sig: readonly number[], at = 0) => head.length >= at + sig.length && sig.every((b, i) => head[at + i] === b);

/**
 * What the file really is, from its first bytes, never from its name or declared type: PDF,
 * JPEG, PNG or DICOM Part 10; null for anything else (an executable renamed to .pdf, say).
 */
export function detectDocumentMime(head: Uint8Array): DocumentMime | null {
  if (startsWith(head, [0x25, 0x50, 0x44, 0x46, 0x2d])) return 'application/pdf'; // %PDF-
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(head, [0x44, 0x49, 0x43, 0x4d], 128)) return 'application/dicom'; // DICM
  return null;
}

export const UNSUPPORTED_FILE_MESSAGE =
  'Файл этого типа не принимается. Прикрепите документ в формате PDF, JPEG, PNG или DICOM (исследование КТ/МРТ); если это скан, сохраните его как PDF или JPEG.';

/**
 * A file name as shown to people: the last path segment only, no control or reserved characters,
 * at most 200 characters. The stored name is the hash anyway; this is display text.
 */
export function sanitiseFileName(raw: string): string {
  const base = raw.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const cleaned = base.replace(/[\u0000-\u001f\u007f<>:"|?*]+/g, '_').replace(/^[.\s]+/, '').trim().slice(0, 200);
  return cleaned || 'документ';
}

export const DocumentFileName = z.string().trim().min(1, 'Укажите имя файла.').max(255).transform(sanitiseFileName);

/** The basis on which the patient's consent to processing was obtained (for an upload on their behalf). */
export const ConsentBasis = z.string().trim().min(3, 'Укажите основание согласия (не короче 3 символов).').max(500);

export const PatientDocument = z.object({
  id: Id,
  patientId: Id,
  type: DocumentTypeCode,
  fileName: z.string(),
  mime: DocumentMime,
  size: z.number().int().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  uploadedBy: Id.nullable(),
  uploadedByRole: Role,
  uploadedByName: z.string(),
  /** Set when someone uploaded on the patient's behalf with the patient's consent recorded. */
  consentBasis: z.string().nullable(),
  consentAt: IsoDateTime.nullable(),
  createdAt: IsoDateTime,
});
export type PatientDocument = z.infer<typeof PatientDocument>;

/** `document.view`: who opened which document when (the desktop may have been offline). */
export const DocumentView = z.strictObject({
  documentId: Id,
  viewedAt: IsoDateTime,
  /** Read from the local cache (offline or not) rather than the server. */
  fromCache: z.boolean(),
});
export type DocumentView = z.infer<typeof DocumentView>;
