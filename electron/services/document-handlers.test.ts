import { describe, expect, it } from 'vitest';
import { Id } from '../../shared/domain/ids.js';
import { uploadId, uploadTimeoutMs } from './document-handlers.js';

describe('document uploads', () => {
  const patient = '4f9a3c1e-2b7d-4e8a-9c0f-1a2b3c4d5e6f';
  const pdf = new TextEncoder().encode('%PDF-1.4\n%%EOF');

  it('a retried attachment has the same id, so the server keeps one document', () => {
    expect(uploadId(patient, 'ecg', pdf)).toBe(uploadId(patient, 'ecg', new Uint8Array(pdf)));
    expect(Id.safeParse(uploadId(patient, 'ecg', pdf)).success).toBe(true);
  });

  it('another file, type or patient is another document', () => {
    const id = uploadId(patient, 'ecg', pdf);
    expect(uploadId(patient, 'echo', pdf)).not.toBe(id);
    expect(uploadId(patient, 'ecg', new TextEncoder().encode('%PDF-1.4\n1\n%%EOF'))).not.toBe(id);
    expect(uploadId('0e0b7c52-8e3f-4a55-b1a2-6c2d9f0e1b34', 'ecg', pdf)).not.toBe(id);
  });

  it('gives a 50 MiB upload time enough at 256 kbit/s', () => {
    expect(uploadTimeoutMs(50 * 1024 * 1024)).toBeGreaterThan(50 * 1024 * 1024 / (32 * 1024) * 1000);
    expect(uploadTimeoutMs(1000)).toBeGreaterThanOrEqual(60_000);
  });
});
