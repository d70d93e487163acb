import { describe, expect, it } from 'vitest';
import { base64ToBytes, viewerKind } from './kinds';

describe('viewerKind', () => {
  it('picks the viewer by MIME type', () => {
    expect(viewerKind('application/pdf')).toBe('pdf');
    expect(viewerKind('image/JPEG')).toBe('image');
    expect(viewerKind('image/png; charset=binary')).toBe('image');
    expect(viewerKind('application/dicom')).toBe('dicom');
    expect(viewerKind('application/x-msdownload')).toBeNull();
    expect(viewerKind('')).toBeNull();
  });
});

describe('base64ToBytes', () => {
  it('decodes, and refuses malformed input', () => {
    expect(Array.from(base64ToBytes('AAEC/w=='))).toEqual([0, 1, 2, 255]);
    expect(base64ToBytes('')).toHaveLength(0);
    expect(() => base64ToBytes('не base64')).toThrow();
  });
});
