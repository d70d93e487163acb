/**
 * Files in and out of the renderer without any file-system access: an XLSX from the services
 * arrives as base64 and is saved through a temporary object URL and `<a download>` (the same in
 * Electron, which shows its save dialog, and in the browser mode); a chosen file is read here
 * and handed to the services as base64.
 */

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export function base64ToBytes(base64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(base64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

export function downloadBase64(fileName: string, base64: string, type = XLSX_TYPE): void {
  const url = URL.createObjectURL(new Blob([base64ToBytes(base64)], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // The download has started from the URL by now; keep it a moment for slow starts.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function readAsBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onerror = () => reject(reader.error ?? new Error('read failed'));
    reader.onload = () => {
      const url = String(reader.result);
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.readAsDataURL(file);
  });
}

/** 20 MB, the services' limit (REFERRAL_FILE_MAX_BASE64 is its base64 size). */
export const MAX_FILE_BYTES = 20 * 1024 * 1024;
