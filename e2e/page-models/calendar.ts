import { expect, type Locator, type Page } from '@playwright/test';

export type ConsultationStatus = 'scheduled' | 'completed' | 'cancelled';

export interface ScheduleTime {
  /** `YYYY-MM-DD`, the doctor's local day. */
  date: string;
  /** `HH:MM`, local. */
  time: string;
  /** Minutes: 15, 20, 30, 45, 60, 90 or 120. */
  duration?: number;
}

/**
 * The centre doctor's calendar (a week agenda) and the booking dialog (opened from the patient
 * card's «Назначить консультацию»). Consultations are found by patient name and local start time.
 */
export class Calendar {
  readonly view: Locator;
  readonly items: Locator;
  readonly dialog: Locator;
  readonly details: Locator;
  readonly detailsBox: Locator;

  constructor(readonly page: Page) {
    this.view = page.getByTestId('calendar-view');
    this.items = page.getByTestId('calendar-item');
    // Mantine puts the test id on the modal's root, which has no box of its own: visibility is
    // the dialog inside it.
    this.dialog = page.getByTestId('schedule-dialog').getByRole('dialog');
    this.details = page.getByTestId('consultation-details');
    this.detailsBox = this.details.getByRole('dialog');
  }

  /** Opens «Календарь» from the navigation and waits for the week to load. */
  async open(): Promise<this> {
    await this.page.getByTestId('nav-calendar').click();
    await expect(this.view).toBeVisible();
    await expect(this.page.getByTestId('calendar-week')).toBeVisible();
    return this;
  }

  /** Moves to the week holding `date` (`YYYY-MM-DD`) with the prev/next buttons. */
  async goToWeekOf(date: string): Promise<void> {
    const target = mondayOf(date);
    for (let i = 0; i < 60; i += 1) {
      const current = (await this.view.getAttribute('data-week-start')) ?? target;
      if (current === target) break;
      await this.page.getByTestId(current < target ? 'calendar-next' : 'calendar-prev').click();
      await expect(this.view).not.toHaveAttribute('data-week-start', current);
    }
    await expect(this.view).toHaveAttribute('data-week-start', target);
  }

  async showCancelled(show = true): Promise<void> {
    const toggle = this.page.getByTestId('calendar-show-cancelled');
    if ((await toggle.isChecked()) !== show) await toggle.click();
  }

  /** The consultation of `patient` (short name as shown, «Иванов И. И.», or part of it), optionally at `time` (HH:MM). */
  item(patient: string | RegExp, time?: string): Locator {
    let l = this.items.filter({ has: this.page.getByTestId('calendar-item-patient').filter({ hasText: patient }) });
    if (time) l = l.filter({ has: this.page.getByTestId('calendar-item-time').filter({ hasText: new RegExp(`^${time}–`) }) });
    return l;
  }

  /**
   * Books through the dialog (already opened from the patient card with «Назначить консультацию»;
   * pass `opener` to click it first). Waits for the dialog to close on success.
   */
  async schedule(at: ScheduleTime, opener?: Locator): Promise<void> {
    if (opener) await opener.click();
    await this.fillSchedule(at);
    await this.dialog.getByTestId('schedule-submit').click();
    await expect(this.dialog).toBeHidden();
  }

  /** Books and expects the inline refusal (a clash: code CONFLICT). Leaves the dialog open. */
  async scheduleExpectingError(at: ScheduleTime, text: string | RegExp, code = 'CONFLICT', opener?: Locator): Promise<void> {
    if (opener) await opener.click();
    await this.fillSchedule(at);
    await this.dialog.getByTestId('schedule-submit').click();
    const error = this.dialog.getByTestId('schedule-error');
    await expect(error).toBeVisible();
    await expect(error).toHaveAttribute('data-code', code);
    await expect(error).toContainText(text);
  }

  async closeScheduleDialog(): Promise<void> {
    await this.dialog.getByTestId('schedule-cancel').click();
    await expect(this.dialog).toBeHidden();
  }

  private async fillSchedule(at: ScheduleTime, scope: Locator = this.dialog): Promise<void> {
    await expect(scope).toBeVisible();
    await scope.getByTestId('schedule-date').fill(at.date);
    await scope.getByTestId('schedule-time').fill(at.time);
    if (at.duration) await scope.getByTestId('schedule-duration').selectOption(String(at.duration));
  }

  /** The consultation is in the calendar (in the shown week) with this status and, if given, pending state. */
  async expectConsultation(patient: string | RegExp, opts: { time?: string; status?: ConsultationStatus; pending?: boolean } = {}): Promise<void> {
    if (opts.status === 'cancelled') await this.showCancelled(true);
    const item = this.item(patient, opts.time);
    if (opts.status) await expect(item.and(this.page.locator(`[data-status="${opts.status}"]`)).first()).toBeVisible();
    else await expect(item.first()).toBeVisible();
    if (opts.pending !== undefined) {
      const one = opts.status ? item.and(this.page.locator(`[data-status="${opts.status}"]`)).first() : item.first();
      await expect(one).toHaveAttribute('data-pending', String(opts.pending));
    }
  }

  async expectNoConsultation(patient: string | RegExp, time?: string): Promise<void> {
    await expect(this.item(patient, time).and(this.page.locator('[data-status="scheduled"]'))).toHaveCount(0);
  }

  /** Opens the details of the patient's scheduled consultation (at `time`, if given). */
  async openDetails(patient: string | RegExp, time?: string): Promise<Locator> {
    await this.item(patient, time).and(this.page.locator('[data-status="scheduled"]')).first().click();
    await expect(this.detailsBox).toBeVisible();
    return this.details;
  }

  /** «Перенести»: a new date/time (and duration) with the required reason. */
  async reschedule(patient: string | RegExp, to: ScheduleTime, reason: string, from?: string): Promise<void> {
    const details = await this.openDetails(patient, from);
    await details.getByTestId('consultation-reschedule').click();
    await this.fillSchedule(to, this.detailsBox);
    await details.getByTestId('consultation-reason').fill(reason);
    await details.getByTestId('reschedule-submit').click();
    await expect(details).toHaveAttribute('data-mode', 'view');
    await details.getByTestId('details-close').click();
    await expect(this.detailsBox).toBeHidden();
  }

  /** «Отменить» with the required reason. */
  async cancel(patient: string | RegExp, reason: string, time?: string): Promise<void> {
    const details = await this.openDetails(patient, time);
    await details.getByTestId('consultation-cancel').click();
    await details.getByTestId('consultation-reason').fill(reason);
    await details.getByTestId('cancel-submit').click();
    await expect(this.detailsBox).toBeHidden();
  }

  /** «Консультация проведена». */
  async complete(patient: string | RegExp, time?: string): Promise<void> {
    const details = await this.openDetails(patient, time);
    await details.getByTestId('consultation-complete').click();
    await expect(this.detailsBox).toBeHidden();
  }
}

function mondayOf(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  const day = new Date(y ?? 1970, (m ?? 1) - 1, d ?? 1);
  day.setDate(day.getDate() - ((day.getDay() + 6) % 7));
  return `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, '0')}-${String(day.getDate()).padStart(2, '0')}`;
}
