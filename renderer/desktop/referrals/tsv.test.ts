import { describe, expect, it } from 'vitest';
import { parseTsv, toTsv } from './tsv';

describe('clipboard TSV', () => {
  it('reads a block copied from Excel (CRLF, trailing line break)', () => {
    expect(parseTsv('Иванов\tИван\r\nПетров\tПётр\r\n')).toEqual([
      ['Иванов', 'Иван'],
      ['Петров', 'Пётр'],
    ]);
  });

  it('keeps empty cells and LF-only rows (LibreOffice)', () => {
    expect(parseTsv('a\t\tc\n\tb\t\n')).toEqual([
      ['a', '', 'c'],
      ['', 'b', ''],
    ]);
  });

  it('reads quoted cells with tabs, line breaks and quotes', () => {
    expect(parseTsv('"строка 1\nстрока 2"\t"ООО ""Рога"""\r\nx\ty')).toEqual([
      ['строка 1\nстрока 2', 'ООО "Рога"'],
      ['x', 'y'],
    ]);
  });

  it('takes a stray quote literally', () => {
    expect(parseTsv('"abc" def\tx')).toEqual([['"abc" def', 'x']]);
  });

  it('reads a single value', () => {
    expect(parseTsv('12345678901')).toEqual([['12345678901']]);
    expect(parseTsv('')).toEqual([]);
  });

  it('round-trips what it writes', () => {
    const block = [
      ['a', 'b\tc', 'd"e'],
      ['f\ng', '', 'h'],
    ];
    expect(parseTsv(toTsv(block))).toEqual(block);
  });
});
