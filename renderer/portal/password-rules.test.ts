import { describe, expect, it } from 'vitest';
import { NewPassword } from '../../shared/domain/users';
import { checkRules, PASSWORD_MIN } from './password-rules';
import { ruPortal, tp } from './i18n';

const ok = (input: Parameters<typeof checkRules>[0]) => Object.fromEntries(checkRules(input).map((r) => [r.id, r.ok]));

describe('portal password rules', () => {
  it('take the length from the contract and agree with it', () => {
    expect(PASSWORD_MIN).toBe(10);
    for (const p of ['', 'a'.repeat(9), 'a'.repeat(10), 'a'.repeat(256), 'a'.repeat(257)]) {
      expect(ok({ current: 'x', next: p, repeat: p, login: 'ivanov' }).length).toBe(NewPassword.safeParse(p).success);
    }
  });

  it('mirror the server: not the current password, not containing the login (any case), typed twice', () => {
    expect(ok({ current: 'secret-one-time', next: 'secret-one-time', repeat: 'secret-one-time', login: 'p1' }).differs).toBe(false);
    expect(ok({ current: 'a', next: 'my-IVANOV-pass', repeat: 'x', login: 'ivanov' })).toEqual({ length: true, differs: true, login: false, repeat: false });
    expect(ok({ current: 'a', next: 'Длинный пароль', repeat: 'Длинный пароль', login: 'ivanov' })).toEqual({ length: true, differs: true, login: true, repeat: true });
    // Nothing typed yet: nothing is shown as met.
    expect(Object.values(ok({ current: 'a', next: '', repeat: '', login: 'ivanov' }))).toEqual([false, false, false, false]);
  });
});

describe('portal dictionary', () => {
  it('interpolates parameters and names every request status', () => {
    expect(tp('home.greeting', { name: 'Игорь Петрович' })).toBe('Здравствуйте, Игорь Петрович!');
    expect(tp('change.rule.length', { min: 10 })).toBe('Не короче 10 символов');
    for (const s of ['new', 'under_review', 'scheduled', 'consulted', 'conclusion_issued', 'invited', 'cancelled'] as const) {
      expect(ruPortal[`status.${s}`]).toMatch(/^[А-ЯЁ]/);
    }
  });
});
