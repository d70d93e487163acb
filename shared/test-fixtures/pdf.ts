import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, rgb } from 'pdf-lib';

/**
 * A small multi-page PDF with known Russian text (DejaVu Sans embedded, so any viewer shows and
 * searches it the same way). Environment-free: the caller hands in the font's bytes
 * (assets/fonts/DejaVuSans.ttf) and writes the result where it needs it.
 */

export const RUSSIAN_PDF_PAGES = [
  ['Выписной эпикриз', 'Пациент: Степанов Степан Ильич, 1941 г. р.', 'Диагноз: ИБС, стенокардия напряжения.'],
  ['Электрокардиограмма', 'Ритм синусовый, ЧСС 72 в минуту.', 'Признаки гипертрофии левого желудочка.'],
  ['Эхокардиография', 'Фракция выброса 48 %.', 'Заключение: пароксизмальная фибрилляция предсердий в анамнезе.'],
] as const;

/** A word that appears on the last page only (a search from page 1 must move there). */
export const RUSSIAN_PDF_LAST_PAGE_WORD = 'фибрилляция';

export async function russianPdf(fontBytes: Uint8Array, pages: readonly (readonly string[])[] = RUSSIAN_PDF_PAGES): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  const font = await doc.embedFont(fontBytes, { subset: true });
  doc.setTitle('Тестовый документ');
  for (const [n, lines] of pages.entries()) {
    const page = doc.addPage([420, 595]); // A5
    lines.forEach((line, i) => {
      page.drawText(line, { x: 36, y: 540 - i * 28, size: i === 0 ? 18 : 11, font, color: rgb(0.1, 0.1, 0.15) });
    });
    // Something to see in the thumbnails: a frame and a different bar per page.
    page.drawRectangle({ x: 20, y: 20, width: 380, height: 555, borderColor: rgb(0.6, 0.6, 0.7), borderWidth: 1 });
    page.drawRectangle({ x: 36, y: 60, width: 60 + n * 100, height: 24, color: rgb(0.2, 0.4, 0.8) });
    page.drawText(`Страница ${n + 1}`, { x: 330, y: 32, size: 9, font });
  }
  return doc.save();
}
