/** Which viewer shows a document, and the bytes of a `documents.read` answer. Pure. */

export type ViewerKind = 'pdf' | 'image' | 'dicom';

/** By MIME type (the services report what the bytes really are, sniffed by the server). */
export function viewerKind(mime: string): ViewerKind | null {
  const m = (mime.toLowerCase().split(';')[0] ?? '').trim();
  if (m === 'application/pdf') return 'pdf';
  if (m === 'image/jpeg' || m === 'image/png') return 'image';
  if (m === 'application/dicom') return 'dicom';
  return null;
}

/** Base64 → bytes; throws on malformed input (shown as a damaged file). */
export function base64ToBytes(base64: string): Uint8Array {
  const bin = atob(base64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
