import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeZip } from '../../shared/referral/fixtures/zip-writer.js';
import { readXlsx } from '../../shared/referral/read-xlsx.js';
import { call, startTestServer, type TestServer } from './harness.js';
import { buildWorld, patientInput, pdfBytes, uploadPath, type World } from './world.js';

/**
 * The hostile input corpus (#9): what an attacker or a broken tool sends, at every boundary that
 * takes files or text — each with the expected clear error, and nothing written. Other corners of
 * the corpus live next to the code they attack: prototype pollution and zip bombs in XLSX
 * (shared/referral/xlsx.test.ts), malformed and oversized JSON, `__proto__` bodies and SQL-ish
 * text (bad-input.test.ts), an executable renamed to .pdf (documents.test.ts).
 */
let server: TestServer;
let world: World;

beforeAll(async () => {
  server = await startTestServer();
  world = await buildWorld(server);
});
afterAll(async () => server?.close());

const db = () => server.api.ctx.db.kysely;
const count = async (table: 'patients' | 'documents' | 'consultation_requests') =>
  Number((await db().selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

/** A minimal workbook whose shared strings carry a billion-laughs DTD. */
function billionLaughsXlsx(): Uint8Array {
  const dtd =
    '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' +
    '<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">' +
    '<!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>';
  const ns = 'http://schemas.openxmlformats.org';
  return writeZip([
    {
      name: '[Content_Types].xml',
      data: `<?xml version="1.0"?><Types xmlns="${ns}/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`,
    },
    { name: '_rels/.rels', data: `<?xml version="1.0"?><Relationships xmlns="${ns}/package/2006/relationships"><Relationship Id="rId1" Type="${ns}/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>` },
    { name: 'xl/workbook.xml', data: `<?xml version="1.0"?><workbook xmlns="${ns}/spreadsheetml/2006/main" xmlns:r="${ns}/officeDocument/2006/relationships"><sheets><sheet name="Лист1" sheetId="1" r:id="rId1"/></sheets></workbook>` },
    {
      name: 'xl/_rels/workbook.xml.rels',
      data: `<?xml version="1.0"?><Relationships xmlns="${ns}/package/2006/relationships"><Relationship Id="rId1" Type="${ns}/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="${ns}/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
    },
    { name: 'xl/sharedStrings.xml', data: `<?xml version="1.0"?>${dtd}<sst xmlns="${ns}/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>` },
    { name: 'xl/worksheets/sheet1.xml', data: `<?xml version="1.0"?><worksheet xmlns="${ns}/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>` },
  ]);
}

describe('crafted XLSX', () => {
  it.each(['stream', 'sheetjs'] as const)('a billion-laughs DTD is never expanded: the entity stays literal text (%s)', async (engine) => {
    const wb = await readXlsx(billionLaughsXlsx(), { engine });
    const cell = String(wb.sheets[0]?.rows[0]?.[0] ?? '');
    expect(cell).toBe('&lol9;');
    expect(cell).not.toContain('lollol');
  });
});

describe('documents', () => {
  it('a path in the file name is cut to the bare name; the file is stored by its hash, never by that name', async () => {
    const before = await count('documents');
    const res = await call(server.url, 'POST', uploadPath(world.pA.patientId, { fileName: '../../../../etc/passwd.pdf' }), { token: world.physicianA.token, bytes: pdfBytes() });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.fileName).not.toMatch(/[\\/]/);
    expect(res.body.fileName).not.toContain('..');
    expect(await count('documents')).toBe(before + 1);
  });

  it.each([
    ['an HTML page', Buffer.from('<html><script>alert(1)</script></html>')],
    ['a Windows executable', Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 0x90)])],
    ['a shell script', Buffer.from('#!/bin/sh\nrm -rf /\n')],
  ])('%s named .pdf is refused by its content, in Russian, and nothing is written', async (_what, bytes) => {
    const before = await count('documents');
    const res = await call(server.url, 'POST', uploadPath(world.pA.patientId, { fileName: 'выписка.pdf' }), { token: world.physicianA.token, bytes });
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('UNSUPPORTED_FILE_TYPE');
    expect(res.body.error.message).toMatch(/PDF|JPEG|PNG|DICOM/);
    expect(await count('documents')).toBe(before);
  });

  it('a file sent with a spoofed JSON content type is refused as what it claims to be, and nothing is written', async () => {
    const before = await count('documents');
    const res = await call(server.url, 'POST', uploadPath(world.pA.patientId), { token: world.physicianA.token, bytes: pdfBytes(), headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('MALFORMED_JSON');
    expect(await count('documents')).toBe(before);
  });
});

describe('script in people’s text', () => {
  it('markup in a name is refused (names are letters), and nothing is written', async () => {
    const before = await count('patients');
    const res = await call(server.url, 'POST', '/api/patients', { token: world.physicianA.token, body: { ...patientInput(), lastName: '<script>alert(1)</script>' } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(await count('patients')).toBe(before);
  });

  it('markup in complaints is kept as the exact text, byte for byte, and served back as JSON text', async () => {
    const complaints = '<img src=x onerror="alert(document.cookie)"> и «кавычки» & </textarea>';
    const patient = await call(server.url, 'POST', '/api/patients', { token: world.physicianA.token, body: patientInput() });
    expect(patient.status).toBe(200);
    const req = await call(server.url, 'POST', '/api/requests', {
      token: world.physicianA.token,
      body: { id: crypto.randomUUID(), patientId: patient.body.id, centre: 'bakulev', profile: 'ischemic_heart_disease', complaints },
    });
    expect(req.status, JSON.stringify(req.body)).toBe(200);
    const back = await call(server.url, 'GET', `/api/requests/${req.body.id}`, { token: world.physicianA.token });
    expect(back.body.complaints).toBe(complaints);
  });
});
