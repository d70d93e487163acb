import { describe, expect, it } from 'vitest';
import { checkEnp, normaliseEnp, validateEnp } from './enp.js';
import { normalisePhone, validatePhone } from './phone.js';
import { checkSnils, normaliseSnils, validateSnils } from './snils.js';

describe('СНИЛС', () => {
  it('accepts checksum-valid numbers in any notation', () => {
    // 112-233-445 95: 1·9+1·8+2·7+2·6+3·5+3·4+4·3+4·2+5·1 = 95.
    for (const s of ['112-233-445 95', '11223344595', '112 233 445 95']) expect(validateSnils(s)).toEqual({ ok: true, value: '11223344595' });
    // 087-654-303 00: sum 201 → 201 mod 101 = 100 → 00.
    expect(checkSnils('08765430300')).toBe(true);
    expect(checkSnils('00100199800')).toBe(true); // issued before checksums: accepted as is
  });

  it('rejects wrong length and wrong checksum with different codes', () => {
    expect(validateSnils('112-233-445 96')).toMatchObject({ ok: false, code: 'SNILS_CHECKSUM' });
    expect(validateSnils('1122334459')).toMatchObject({ ok: false, code: 'SNILS_FORMAT' });
    expect(validateSnils('abc')).toMatchObject({ ok: false, code: 'SNILS_FORMAT' });
    expect(normaliseSnils('112-233-445 9a')).toBeNull();
  });

  it('has exactly one valid control number for every body', () => {
    for (const body of ['123456789', '987654321', '555555555', '100000000']) {
      const valid = Array.from({ length: 100 }, (_, c) => body + String(c).padStart(2, '0')).filter(checkSnils);
      expect(valid).toHaveLength(1);
    }
  });
});

/** The ФФОМС procedure written out literally, to check the Luhn form against it. */
function ffomsControlDigit(first15: string): number {
  const rev = [...first15].reverse();
  const odd = rev.filter((_, i) => i % 2 === 0).join('');
  const even = rev.filter((_, i) => i % 2 === 1).join('');
  const joined = even + String(BigInt(odd) * 2n);
  const sum = [...joined].reduce((s, d) => s + Number(d), 0);
  return (10 - (sum % 10)) % 10;
}

describe('ЕНП (полис ОМС единого образца)', () => {
  it('agrees with the literal ФФОМС procedure on many numbers', () => {
    let seed = 42;
    for (let n = 0; n < 2000; n++) {
      let body = '';
      for (let i = 0; i < 15; i++) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        body += String(seed % 10);
      }
      const control = ffomsControlDigit(body);
      expect(checkEnp(body + control)).toBe(true);
      expect(checkEnp(body + ((control + 1) % 10))).toBe(false);
    }
  });

  it('accepts valid numbers with separators and rejects bad ones', () => {
    const body = '770000000000001';
    const valid = body + ffomsControlDigit(body);
    expect(validateEnp(`${valid.slice(0, 4)} ${valid.slice(4, 8)} ${valid.slice(8, 12)} ${valid.slice(12)}`)).toEqual({ ok: true, value: valid });
    expect(validateEnp(valid.slice(0, 15))).toMatchObject({ ok: false, code: 'ENP_FORMAT' });
    const swapped = valid.slice(0, 13) + valid[14] + valid[13] + valid[15];
    if (swapped !== valid) expect(validateEnp(swapped)).toMatchObject({ ok: false, code: 'ENP_CHECKSUM' });
    expect(normaliseEnp('7700-0000-0000-00x1')).toBeNull();
  });
});

describe('mobile phone', () => {
  it('normalises every common Russian notation to +7XXXXXXXXXX', () => {
    for (const s of ['8 (912) 345-67-89', '+7 912 345 67 89', '79123456789', '9123456789', '8-912-345-67-89', '+7(912)3456789']) {
      expect(normalisePhone(s), s).toBe('+79123456789');
    }
  });

  it('rejects landlines, foreign and malformed numbers', () => {
    expect(validatePhone('+7 495 123-45-67')).toMatchObject({ ok: false, code: 'PHONE_NOT_MOBILE' });
    expect(validatePhone('+44 20 7946 0958')).toMatchObject({ ok: false, code: 'PHONE_FORMAT' });
    expect(validatePhone('12345')).toMatchObject({ ok: false, code: 'PHONE_FORMAT' });
    expect(validatePhone('телефон')).toMatchObject({ ok: false, code: 'PHONE_FORMAT' });
  });
});
