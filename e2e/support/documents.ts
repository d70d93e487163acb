import zlib from 'node:zlib';
import type { PatientDocument } from '../../shared/domain/documents.js';
import type { ApiUser } from './processes.js';

/** Documents for the end-to-end suites: small real files, uploaded as the referring physician would (with consent). */
const BASIS = 'письменное согласие от 20.11.2026, хранится в МО';

/** A 48×32 PNG: left half red, right half blue (an image whose rotation shows). */
export function smallPng(): Buffer {
  const w = 48;
  const h = 32;
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    raw[y * (w * 3 + 1)] = 0;
    for (let x = 0; x < w; x++) {
      const o = y * (w * 3 + 1) + 1 + x * 3;
      raw[o] = x < w / 2 ? 220 : 30;
      raw[o + 1] = 40;
      raw[o + 2] = x < w / 2 ? 30 : 220;
    }
  }
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const byte of b) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

export async function uploadDocument(user: ApiUser, patientId: string, type: string, fileName: string, bytes: Uint8Array): Promise<PatientDocument> {
  const q = new URLSearchParams({ type, fileName, consentObtained: 'true', consentBasis: BASIS });
  const res = await fetch(`${user.baseUrl}/api/patients/${patientId}/documents?${q.toString()}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/octet-stream' },
    body: bytes,
  });
  if (!res.ok) throw new Error(`upload ${fileName}: ${res.status} ${await res.text()}`);
  return (await res.json()) as PatientDocument;
}
