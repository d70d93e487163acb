import { describe, expect, it } from 'vitest';
import { auditCsv, csvCell } from './admin-handlers.js';

describe('audit export as CSV', () => {
  it('quotes every cell, doubles quotes, and neutralises text a spreadsheet would run', () => {
    expect(csvCell('просто текст')).toBe('"просто текст"');
    expect(csvCell('он сказал "да"')).toBe('"он сказал ""да"""');
    expect(csvCell('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
    expect(csvCell('-1')).toBe('"\'-1"');
    expect(csvCell(null)).toBe('""');
    expect(csvCell({ a: 1 })).toBe('"{""a"":1}"');
  });

  it('starts with a BOM and a Russian header, one line per event', () => {
    const csv = auditCsv([
      { seq: 7, at: '2026-11-22T10:00:00.000Z', actorId: null, actorRole: null, action: 'document.read', patientId: null, entity: 'document', entityId: 'x', result: 'ok', details: { range: null }, hash: 'ab' },
    ]);
    expect(csv.startsWith('\uFEFF"№";"Время (UTC)"')).toBe(true);
    const lines = csv.trim().split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('"document.read"');
    expect(lines[1]).toContain('"{""range"":null}"');
  });
});
