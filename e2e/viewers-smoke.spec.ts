import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ctGradient16, jpegCompressedDicom, MULTI_FRAME, multiFrame8 } from '../shared/test-fixtures/dicom.js';
import { RUSSIAN_PDF_LAST_PAGE_WORD, RUSSIAN_PDF_PAGES, russianPdf } from '../shared/test-fixtures/pdf.js';
import { DoctorQueue, SignInPage } from './page-models/index.js';
import { DocumentViewer } from './page-models/document-viewer.js';
import { smallPng, uploadDocument } from './support/documents.js';
import { expect, test } from './support/fixtures.js';
import { uniqueSurname } from './support/names.js';
import { ApiUser, ROOT } from './support/processes.js';

/**
 * The offline document viewers, through the real app: the referring physician uploads a PDF, a
 * PNG and DICOM studies (with consent) over HTTP; the centre's doctor opens each from the patient
 * card and the viewer shows it — PDF pages, thumbnails and Russian search; image rotation; DICOM
 * window/level and frames; a JPEG-compressed DICOM refused with a message naming the syntax.
 */

/** What the checks read of an element in the page (the e2e project compiles without the DOM library). */
type Styled = { style: { transform: string } };

test('the centre doctor views a PDF, an image and DICOM studies from the patient card', async ({ page, system }) => {
  test.setTimeout(180_000);
  // pdf.js must run its own worker from our bundle under the strict CSP: no «fake worker» fallback
  // on the main thread, no CSP violation, nothing fetched from elsewhere.
  const problems: string[] = [];
  page.on('console', (m) => {
    const text = m.text();
    if (/Content Security Policy|fake worker|Refused to/i.test(text)) problems.push(text);
  });
  const workers: string[] = [];
  page.on('worker', (w) => workers.push(w.url()));
  page.on('request', (r) => {
    if (!/^(https?:\/\/127\.0\.0\.1|blob:|data:|ws:\/\/127\.0\.0\.1)/.test(r.url())) problems.push(`request to ${r.url()}`);
  });
  const central = await system.api();
  const host = await system.desktop(central.url);

  // The physician refers a patient to Бакулев and attaches the documents on the patient's behalf.
  const physician = await ApiUser.signIn(central.url, 'demo-physician');
  const lastName = uniqueSurname('Просмотров');
  const patientId = crypto.randomUUID();
  await physician.call('POST', '/api/patients', { id: patientId, lastName, firstName: 'Пётр', middleName: 'Ильич', sex: 'male', birthDate: '1950-05-05' });
  await physician.call('POST', '/api/requests', { id: crypto.randomUUID(), patientId, centre: 'bakulev', profile: 'ischemic_heart_disease', icd10: 'I25.1', diagnosis: 'ИБС' });
  const font = new Uint8Array(fs.readFileSync(path.join(ROOT, 'assets', 'fonts', 'DejaVuSans.ttf')));
  const pdf = await uploadDocument(physician, patientId, 'discharge_summary', 'Выписка.pdf', await russianPdf(font));
  const png = await uploadDocument(physician, patientId, 'ecg', 'ЭКГ.png', smallPng());
  const ct = await uploadDocument(physician, patientId, 'ct_mri', 'КТ.dcm', ctGradient16());
  const cine = await uploadDocument(physician, patientId, 'echo', 'ЭхоКГ кино.dcm', multiFrame8());
  const jpegDicom = await uploadDocument(physician, patientId, 'other', 'сжатый.dcm', jpegCompressedDicom());
  expect([pdf.mime, png.mime, ct.mime, cine.mime, jpegDicom.mime]).toEqual(['application/pdf', 'image/png', 'application/dicom', 'application/dicom', 'application/dicom']);

  // The doctor signs in, finds the patient in the centre's queue and opens the card.
  await page.goto(host.url);
  await new SignInPage(page).signIn({ login: 'demo-doctor-bakulev', password: 'oblako-demo' });
  const queue = await new DoctorQueue(page).waitForVisible();
  const fullName = `${lastName} Пётр Ильич`;
  await queue.search.fill(lastName);
  await queue.rows.expectRow(fullName);
  await queue.row(fullName).getByTestId('queue-open-card').click();
  await expect(page.getByTestId('patient-card')).toHaveAttribute('data-loaded', 'true');
  await expect(page.getByTestId('document-row')).toHaveCount(5, { timeout: 30_000 });

  const viewer = new DocumentViewer(page);

  // ——— PDF: pages, thumbnails, zoom, Russian search ———
  await viewer.openFromRow(pdf.id, 'pdf');
  await expect(viewer.source).toBeVisible();
  // Full-screen: the viewer covers the window.
  const vb = (await viewer.root.boundingBox())!;
  expect(vb.width).toBeGreaterThanOrEqual(page.viewportSize()!.width - 1);
  await expect(viewer.thumbnails).toHaveCount(RUSSIAN_PDF_PAGES.length);
  await viewer.waitForPdfPage(1);
  expect(workers.some((u) => /\/assets\/pdf\.worker[^/]*\.mjs$/.test(u))).toBe(true);
  const page1 = await viewer.canvasDigest(viewer.pdfCanvas);
  expect(page1.nonBlank).toBeGreaterThan(500);
  await page.keyboard.press('ArrowRight');
  await viewer.waitForPdfPage(2);

  expect((await viewer.canvasDigest(viewer.pdfCanvas)).hash).not.toBe(page1.hash);
  await viewer.thumbnails.nth(0).click();
  await viewer.waitForPdfPage(1);
  const zoomBefore = await viewer.zoomValue.textContent();
  await viewer.zoomIn.click();
  await expect(viewer.zoomValue).not.toHaveText(zoomBefore ?? '');
  await viewer.fit.click();
  const fitted = await viewer.zoomValue.textContent();
  await page.keyboard.press('+');
  await expect(viewer.zoomValue).not.toHaveText(fitted ?? '');
  await page.keyboard.press('-');
  await viewer.fit.click();
  await expect(viewer.zoomValue).toHaveText(fitted ?? '');
  // The word is on the last page only: the search moves there and highlights it.
  await viewer.search(RUSSIAN_PDF_LAST_PAGE_WORD.toUpperCase());
  await expect(viewer.searchCount).toHaveAttribute('data-count', '1');
  await expect(viewer.searchCount).toHaveText('1 из 1');
  await viewer.waitForPdfPage(RUSSIAN_PDF_PAGES.length);
  await expect(viewer.highlights.first()).toBeVisible();
  await expect(viewer.highlights.first()).toHaveAttribute('data-current', 'true');
  await viewer.search('Степан');
  await expect(viewer.searchCount).toHaveAttribute('data-count', '2'); // «Степанов Степан»
  await viewer.searchNext.click();
  await expect(viewer.searchCount).toHaveText(/^(1|2) из 2$/);
  if (process.env.OBLAKO_VIEWER_SHOTS) await page.screenshot({ path: path.join(process.env.OBLAKO_VIEWER_SHOTS, 'pdf.png') });
  await viewer.search('несуществующее слово');
  await expect(viewer.searchCount).toHaveText('Не найдено');
  await viewer.close();

  // ——— image: rotation, zoom, brightness ———
  await viewer.openFromRow(png.id, 'image');
  await expect(viewer.image).toBeVisible();
  await expect(viewer.image).toHaveJSProperty('naturalWidth', 48);
  await viewer.rotateRight.click();
  await expect(viewer.image).toHaveAttribute('data-rotation', '90');
  expect(await viewer.image.evaluate((el) => (el as unknown as Styled).style.transform)).toContain('rotate(90deg)');
  // The browser's computed matrix really turned: a quarter turn has a ≈ 0 in matrix(a, b, c, d, …).
  const matrix = await viewer.image.evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { transform: string } }).getComputedStyle(el).transform);
  const [a] = /matrix\(([^)]+)\)/.exec(matrix)![1]!.split(',').map(Number);
  expect(Math.abs(a!)).toBeLessThan(1e-6);
  await viewer.rotateLeft.click();
  await expect(viewer.image).toHaveAttribute('data-rotation', '0');
  await viewer.zoomIn.click();
  expect(await viewer.image.evaluate((el) => (el as unknown as Styled).style.transform)).toMatch(/scale\((?!1\))/);
  const brightness = viewer.root.getByTestId('image-brightness').getByRole('slider');
  await brightness.focus();
  await page.keyboard.press('ArrowRight');
  await expect(viewer.image).toHaveCSS('filter', /brightness\(1\.05\)|brightness\(105%\)/);
  await viewer.close();

  // ——— DICOM, single frame 16-bit: the file's window, then another window changes the pixels ———
  await viewer.openFromRow(ct.id, 'dicom');
  await expect(viewer.dicomViewer).toHaveAttribute('data-state', 'ready');
  await expect(viewer.dicomCanvas).toHaveAttribute('data-wc', '40');
  await expect(viewer.dicomCanvas).toHaveAttribute('data-ww', '400');
  const soft = await viewer.canvasDigest(viewer.dicomCanvas);
  expect(soft).toMatchObject({ width: 64, height: 64 });
  expect(soft.nonBlank).toBeGreaterThan(1000);
  await viewer.preset.selectOption('lung');
  await expect(viewer.dicomCanvas).toHaveAttribute('data-wc', '-600');
  const lung = await viewer.canvasDigest(viewer.dicomCanvas);
  expect(lung.hash).not.toBe(soft.hash);
  // Dragging on the image changes the window too.
  const box = (await viewer.dicomCanvas.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 60, box.y + box.height / 2 + 30, { steps: 4 });
  await page.mouse.up();
  await expect(viewer.dicomCanvas).not.toHaveAttribute('data-ww', '1500');
  expect((await viewer.canvasDigest(viewer.dicomCanvas)).hash).not.toBe(lung.hash);
  if (process.env.OBLAKO_VIEWER_SHOTS) await page.screenshot({ path: path.join(process.env.OBLAKO_VIEWER_SHOTS, 'dicom.png') });
  await viewer.close();

  // ——— DICOM, multi-frame 8-bit: frames scroll and differ ———
  await viewer.openFromRow(cine.id, 'dicom');
  await expect(viewer.dicomViewer).toHaveAttribute('data-frame-count', String(MULTI_FRAME.frames));
  await expect(viewer.frameLabel).toHaveText(`Кадр 1 из ${MULTI_FRAME.frames}`);
  const frame1 = await viewer.canvasDigest(viewer.dicomCanvas);
  expect(frame1.nonBlank).toBeGreaterThan(100);
  await viewer.nextFrame.click();
  await expect(viewer.frameLabel).toHaveText(`Кадр 2 из ${MULTI_FRAME.frames}`);
  const frame2 = await viewer.canvasDigest(viewer.dicomCanvas);
  expect(frame2.hash).not.toBe(frame1.hash);
  await page.keyboard.press('ArrowRight');
  await expect(viewer.dicomCanvas).toHaveAttribute('data-frame', '2');
  expect((await viewer.canvasDigest(viewer.dicomCanvas)).hash).not.toBe(frame2.hash);
  await viewer.dicomCanvas.hover();
  await page.mouse.wheel(0, 120);
  await expect(viewer.dicomCanvas).toHaveAttribute('data-frame', '3');
  await page.keyboard.press('ArrowLeft');
  await expect(viewer.dicomCanvas).toHaveAttribute('data-frame', '2');
  await viewer.close();

  // ——— DICOM with JPEG compression: a clear refusal naming the syntax, no garbage ———
  await viewer.openFromRow(jpegDicom.id, 'dicom');
  await expect(viewer.error).toBeVisible();
  await expect(viewer.error).toContainText('Сжатие JPEG Baseline');
  await expect(viewer.error).toContainText('откройте файл во внешней программе');
  await expect(viewer.dicomCanvas).toHaveCount(0);
  if (process.env.OBLAKO_VIEWER_SHOTS) await page.screenshot({ path: path.join(process.env.OBLAKO_VIEWER_SHOTS, 'jpeg-dicom.png') });
  await viewer.close();

  // ——— offline: the central API is gone; a document the desktop holds still opens, «из кэша» ———
  await central.stop();
  await viewer.openFromRow(ct.id, 'dicom');
  await viewer.expectSource(true);
  await expect(viewer.dicomViewer).toHaveAttribute('data-state', 'ready');
  expect((await viewer.canvasDigest(viewer.dicomCanvas)).nonBlank).toBeGreaterThan(1000);
  await viewer.close();
  expect(problems).toEqual([]);
});
