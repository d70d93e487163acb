import type { ConclusionContent } from '../domain/conclusions.js';
import type { CentreCode } from '../domain/requests.js';

/**
 * The facts an issued conclusion vouches for: what the paper says, who it is about, who signed it
 * and when. The verification code printed on the PDF (and kept by the central API) is the SHA-256
 * of their canonical JSON, so the server and the desktop compute the same code from the same facts.
 */
export interface ConclusionFacts {
  requestId: string;
  version: number;
  centre: CentreCode;
  patient: ConclusionPatient;
  doctor: { name: string; post: string };
  /** Start of the video consultation (ISO instant); null for a conclusion by documents only. */
  consultationDate: string | null;
  /** ISO instant of issue. */
  issuedAt: string;
  content: ConclusionContent;
}

export interface ConclusionPatient {
  lastName: string;
  firstName: string;
  middleName: string | null;
  /** YYYY-MM-DD. */
  birthDate: string;
  /** 11 digits, or null when unknown. */
  snils: string | null;
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/**
 * JSON with object keys sorted (by UTF-16 code units, as `Array.prototype.sort` does) and no
 * whitespace; `undefined` members are left out, like `JSON.stringify` does. Arrays keep their order.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonical(value));
}

function canonical(value: unknown): Json {
  if (value === null) return null;
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : canonical(v)));
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw new Error('canonicalJson: not a finite number');
      return value;
    case 'object': {
      const out: { [key: string]: Json } = {};
      for (const key of Object.keys(value).sort()) {
        const v = (value as Record<string, unknown>)[key];
        if (v !== undefined) out[key] = canonical(v);
      }
      return out;
    }
    default:
      throw new Error(`canonicalJson: cannot encode ${typeof value}`);
  }
}

/** The fields hashed, in a fixed shape (so adding a field to `ConclusionFacts` changes nothing silently). */
function hashedFacts(f: ConclusionFacts): unknown {
  return {
    requestId: f.requestId,
    version: f.version,
    centre: f.centre,
    patient: { lastName: f.patient.lastName, firstName: f.patient.firstName, middleName: f.patient.middleName, birthDate: f.patient.birthDate, snils: f.patient.snils },
    doctor: { name: f.doctor.name, post: f.doctor.post },
    consultationDate: f.consultationDate,
    issuedAt: f.issuedAt,
    content: f.content,
  };
}

/** Lower-case hex SHA-256 of bytes, by Web Crypto (Node 20 and browsers alike). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The verification code of a conclusion: SHA-256 (hex) of its canonical facts. */
export async function conclusionVerificationCode(facts: ConclusionFacts): Promise<string> {
  return sha256Hex(new TextEncoder().encode(canonicalJson(hashedFacts(facts))));
}

/** `a1b2c3d4 e5f6…`: the code as printed, in groups of `size` hex digits. */
export function groupCode(code: string, size = 4): string[] {
  const groups: string[] = [];
  for (let i = 0; i < code.length; i += size) groups.push(code.slice(i, i + size));
  return groups;
}

/** Where the QR code points: the public verification endpoint of the central API. */
export function verificationUrl(publicUrl: string, code: string): string {
  return `${publicUrl.endsWith('/') ? publicUrl : `${publicUrl}/`}api/conclusions/verify/${code}`;
}
