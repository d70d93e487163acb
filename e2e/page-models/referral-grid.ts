import { expect, type Download, type Locator, type Page } from '@playwright/test';
import type { ReferralFieldKey } from '../../shared/referral/columns.js';

export type GridField = ReferralFieldKey;

/** The browser's clipboard classes, named here because the e2e code is typed without the DOM library. */
interface ClipboardGlobals {
  DataTransfer: new () => { setData(type: string, data: string): void; getData(type: string): string };
  ClipboardEvent: new (type: string, init: { clipboardData: unknown; bubbles: boolean; cancelable: boolean }) => Event;
}

/**
 * The referral-table grid editor («Таблицы направлений» → a draft). Rows are addressed by the
 * number shown in the «№» column (for a new table 1, 2, 3…; for an imported file the sheet's own
 * row numbers). The grid is virtualised: a row outside the view is brought in with «№» → Enter.
 */
export class ReferralGrid {
  readonly editor: Locator;
  readonly grid: Locator;
  readonly cellEditor: Locator;
  readonly title: Locator;
  readonly saveState: Locator;
  readonly problemsPanel: Locator;
  readonly problems: Locator;
  readonly sendButton: Locator;
  readonly sendHint: Locator;
  readonly sentBanner: Locator;
  readonly exportButton: Locator;
  readonly gotoInput: Locator;

  constructor(readonly page: Page) {
    this.editor = page.getByTestId('draft-editor');
    this.grid = page.getByTestId('referral-grid');
    this.cellEditor = page.getByTestId('grid-editor');
    this.title = page.getByTestId('grid-title');
    this.saveState = page.getByTestId('grid-save-state');
    this.problemsPanel = page.getByTestId('grid-problems');
    this.problems = page.getByTestId('grid-problem');
    this.sendButton = page.getByTestId('grid-send');
    this.sendHint = page.getByTestId('grid-send-hint');
    this.sentBanner = page.getByTestId('grid-sent');
    this.exportButton = page.getByTestId('grid-export');
    this.gotoInput = page.getByTestId('grid-goto');
  }

  async waitForVisible(): Promise<this> {
    await expect(this.editor).toBeVisible();
    await expect(this.grid).toBeVisible();
    return this;
  }

  async expectRowCount(n: number): Promise<void> {
    await expect(this.grid).toHaveAttribute('data-rows', String(n));
  }

  row(row: number): Locator {
    return this.grid.locator(`[data-testid="grid-row"][data-row="${row}"]`);
  }

  cell(row: number, field: GridField): Locator {
    return this.row(row).locator(`[data-field="${field}"]`);
  }

  /**
   * Puts the cursor on a cell: a far row is scrolled into view first; a row number past the last
   * row is added with «Добавить строку» (a table typed here numbers its rows 1, 2, 3…).
   */
  async goTo(row: number, field: GridField): Promise<Locator> {
    const cell = this.cell(row, field);
    if ((await cell.count()) === 0) {
      const last = Number(await this.grid.getAttribute('data-last-row'));
      if (row > last) {
        for (let n = last; n < row; n++) await this.addRow();
        await expect(this.grid).toHaveAttribute('data-last-row', String(row));
      } else {
        await this.gotoInput.fill(String(row));
        await this.gotoInput.press('Enter');
      }
      await expect(cell).toBeVisible();
    }
    await cell.scrollIntoViewIfNeeded();
    await cell.click();
    await this.expectCursor(row, field);
    return cell;
  }

  async expectCursor(row: number, field: GridField): Promise<void> {
    await expect(this.grid).toHaveAttribute('data-focus-row', String(row));
    await expect(this.grid).toHaveAttribute('data-focus-field', field);
  }

  /** F2, replace the cell's text, Enter (the cursor moves down, as in Excel). */
  async typeInto(row: number, field: GridField, text: string): Promise<void> {
    await this.goTo(row, field);
    await this.page.keyboard.press('F2');
    await expect(this.cellEditor).toBeFocused();
    await this.cellEditor.fill(text);
    await this.cellEditor.press('Enter');
    await expect(this.cellEditor).toHaveCount(0);
    await expect(this.cell(row, field)).toHaveText(text.trim());
  }

  /** Selects the block from one cell to another (click, then Shift+click). */
  async select(from: { row: number; field: GridField }, to: { row: number; field: GridField }): Promise<void> {
    await this.goTo(from.row, from.field);
    await this.cell(to.row, to.field).click({ modifiers: ['Shift'] });
  }

  /** Pastes a TSV block (as Excel puts it on the clipboard) with its top-left at the cell. */
  async pasteTsv(row: number, field: GridField, tsv: string): Promise<void> {
    await this.goTo(row, field);
    await this.grid.evaluate((el, text) => {
      const g = globalThis as unknown as ClipboardGlobals;
      const data = new g.DataTransfer();
      data.setData('text/plain', text);
      el.dispatchEvent(new g.ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    }, tsv);
  }

  /** Copies the current selection; returns the TSV the grid put on the clipboard. */
  async copySelection(): Promise<string> {
    return this.grid.evaluate((el) => {
      const g = globalThis as unknown as ClipboardGlobals;
      const data = new g.DataTransfer();
      el.dispatchEvent(new g.ClipboardEvent('copy', { clipboardData: data, bubbles: true, cancelable: true }));
      return data.getData('text/plain');
    });
  }

  async press(key: string): Promise<void> {
    await this.grid.press(key);
  }

  async undo(): Promise<void> {
    await this.grid.press('Control+z');
  }

  async redo(): Promise<void> {
    await this.grid.press('Control+y');
  }

  async addRow(): Promise<void> {
    const before = Number(await this.grid.getAttribute('data-rows'));
    await this.page.getByTestId('grid-add-row').click();
    await this.expectRowCount(before + 1);
  }

  async deleteRow(row: number): Promise<void> {
    await this.goTo(row, 'lastName');
    await this.page.getByTestId('grid-delete-rows').click();
    await expect(this.row(row)).toHaveCount(0);
  }

  /** Excludes a row from sending (or brings it back): it stays in the table, greyed. */
  async exclude(row: number, excluded = true): Promise<void> {
    await this.goTo(row, 'lastName');
    await this.page.getByTestId('grid-exclude').click();
    await expect(this.row(row)).toHaveAttribute('data-excluded', String(excluded));
  }

  problem(row: number, field: GridField): Locator {
    return this.problems.and(this.page.locator(`[data-row="${row}"][data-field="${field}"]`));
  }

  async expectProblemCount(n: number): Promise<void> {
    await expect(this.problemsPanel).toHaveAttribute('data-count', String(n));
  }

  async expectProblem(row: number, field: GridField, text?: string | RegExp): Promise<void> {
    await expect(this.problem(row, field).first()).toBeVisible();
    if (text !== undefined) await expect(this.problem(row, field).first()).toContainText(text);
    await expect(this.cell(row, field)).toHaveAttribute('aria-invalid', 'true');
  }

  /** Clicks the problem in the list (the cursor jumps to the cell) and types the right value. */
  async fixProblem(row: number, field: GridField, value: string): Promise<void> {
    await this.problem(row, field).first().click();
    await this.expectCursor(row, field);
    await this.page.keyboard.press('F2');
    await this.cellEditor.fill(value);
    await this.cellEditor.press('Enter');
    await expect(this.problem(row, field)).toHaveCount(0);
    await expect(this.cell(row, field)).not.toHaveAttribute('aria-invalid', 'true');
  }

  async expectSaved(): Promise<void> {
    await expect(this.saveState).toHaveAttribute('data-state', 'saved');
  }

  /** «Отправить» is disabled while rows have problems; the button shows how many. */
  async expectSendBlocked(problems?: number): Promise<void> {
    await expect(this.sendButton).toBeDisabled();
    if (problems !== undefined) await expect(this.sendButton).toHaveAttribute('data-problems', String(problems));
  }

  /** Waits for the checks to settle, sends with confirmation and waits for the read-only view. */
  async send(): Promise<void> {
    await expect(this.sendButton).toHaveAttribute('data-checking', 'false');
    await expect(this.sendButton).toBeEnabled();
    await this.sendButton.click();
    await this.page.getByTestId('grid-send-confirm-button').click();
    await this.expectSent();
  }

  async expectSent(): Promise<void> {
    await expect(this.sentBanner).toBeVisible();
    await expect(this.editor).toHaveAttribute('data-readonly', 'true');
  }

  async exportXlsx(): Promise<Download> {
    const download = this.page.waitForEvent('download');
    await this.exportButton.click();
    return download;
  }

  async back(): Promise<void> {
    await this.page.getByTestId('grid-back').click();
    await expect(this.editor).toBeHidden();
  }
}
