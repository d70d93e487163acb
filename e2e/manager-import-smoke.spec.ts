import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from './support/fixtures.js';
import { makeSnilsNumber } from '../shared/referral/fixtures/generate.js';
import { makeXlsx } from '../shared/referral/fixtures/make-xlsx.js';
import { readXlsx } from '../shared/referral/read-xlsx.js';
import { ManagerImport } from './page-models/manager-import.js';
import { SignInPage } from './page-models/sign-in-page.js';
import { uniqueSurname } from './support/names.js';
import { tempDir } from './support/processes.js';

/**
 * Smoke: the manager's import screens run in Chromium against the real central API — a received
 * file is taken in (one row rejected), recognised when dropped again, reviewed, imported, reported.
 */
test('the manager takes in a received file, imports it and downloads the report', async ({ page, system }) => {
  const apiDir = tempDir('api');
  const central = await system.api(apiDir);
  const host = await system.desktop(central.url);
  await page.goto(host.url);
  const shell = await new SignInPage(page).signIn({ login: 'demo-manager', password: 'oblako-demo' });
  await shell.navigate('incoming-batches');
  const im = await new ManagerImport(page).waitForInbox();

  const [a, b, c] = [uniqueSurname('Почтов'), uniqueSurname('Письмов'), uniqueSurname('Ошибкин')];
  const rnd = () => Math.random();
  const header = ['№', 'Ф.И.О. пациента', 'Пол', 'Дата рождения', 'СНИЛС', 'Телефон', 'Регион', 'Направившая МО', 'Лечащий врач', 'Центр', 'Профиль', 'Код МКБ-10', 'Диагноз', 'Срочность'];
  const common = ['Республика Татарстан', 'ГАУЗ «РКБ»', 'Петрова А. С.', 'Бакулева', 'Ишемическая болезнь сердца', 'I25.1', 'ИБС', 'плановая'];
  const file = path.join(tempDir('intake'), 'Письмо из Казани.xlsx');
  fs.writeFileSync(
    file,
    makeXlsx([
      {
        name: 'Лист1',
        rows: [
          header,
          [1, `${a} Игорь Петрович`, 'м', '01.02.1980', makeSnilsNumber(rnd), '+7 912 345-67-89', ...common],
          [2, `${b} Анна Ивановна`, 'ж', '07.06.1975', makeSnilsNumber(rnd), '+7 912 345-67-80', ...common],
          [3, `${c} Олег`, 'м', '31.02.1990', '123', '12345', ...common],
        ],
      },
    ]),
  );

  await im.dropFiles([file]);
  await im.confirmMapping('Письмо из Казани');
  await im.expectCheck({ valid: 2, rejected: 1 });
  await im.acceptFile({ organization: 'ГАУЗ «РКБ»', referrer: 'Петрова А. С.' });
  const row = im.batchRow('Письмо из Казани');
  await expect(row).toHaveAttribute('data-source', 'file');
  await expect(row).toHaveAttribute('data-rejected', '1');
  await expect(row.getByTestId('batch-rows')).toHaveText('2');

  // The same file again: recognised, opened instead of taken in twice.
  await im.dropFiles([file]);
  await im.expectAlreadyReceived('Письмо из Казани');
  await im.openAlreadyReceived();
  await expect(im.review).toHaveAttribute('data-state', 'ready');

  await im.decideAllUnmatchedCreate();
  await im.decideAllUndecidedSkip();
  await im.saveDecisions();
  await im.commit();
  await im.waitForImportDone({ created: 2 });
  await im.expectRowOutcome(2, 'created');

  const download = await im.downloadReport();
  const saved = path.join(tempDir('report'), 'report.xlsx');
  await download.saveAs(saved);
  const workbook = await readXlsx(new Uint8Array(fs.readFileSync(saved)));
  const text = workbook.sheets.flatMap((s) => s.rows.flat()).map((v) => String(v ?? '')).join('\n');
  expect(text).toContain(c);

  await im.backToInbox();
  await expect(im.batchRow('Письмо из Казани')).toHaveAttribute('data-status', 'imported');

  // Without the server the review says so and offers a retry, never a blank screen.
  await central.stop();
  await im.openBatch('Письмо из Казани');
  await im.expectOffline();
  await system.api(apiDir, central.port);
  await im.retry();
  await expect(im.result).toHaveAttribute('data-status', 'imported');
});
