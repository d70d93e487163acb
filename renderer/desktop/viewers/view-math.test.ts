import { describe, expect, it } from 'vitest';
import { clampZoom, findInPage, fitScale, foldForSearch, imageFilter, imageTransform, multiply, pieceRect, rotateBy, rotatedSize, zoomIn, zoomOut } from './view-math';

describe('zoom', () => {
  it('steps up and down and stays in range', () => {
    expect(zoomIn(1)).toBe(1.1);
    expect(zoomOut(1)).toBe(0.9);
    expect(zoomIn(0.83)).toBe(0.9);
    expect(zoomOut(0.83)).toBe(0.75);
    expect(zoomIn(8)).toBe(8);
    expect(zoomOut(0.1)).toBe(0.1);
    expect(clampZoom(100)).toBe(8);
    expect(clampZoom(Number.NaN)).toBe(1);
  });

  it('fits content into a box', () => {
    expect(fitScale(600, 800, 300, 200)).toBe(2);
    expect(fitScale(600, 100, 300, 200)).toBe(0.5);
    expect(fitScale(600, 0, 300, 200)).toBe(2);
    expect(fitScale(0, 0, 300, 200)).toBe(1);
  });
});

describe('image transform', () => {
  it('rotates in quarter turns and builds the CSS', () => {
    expect(rotateBy(0, 90)).toBe(90);
    expect(rotateBy(270, 90)).toBe(0);
    expect(rotateBy(0, -90)).toBe(270);
    expect(imageTransform(1.5, 90)).toBe('rotate(90deg) scale(1.5)');
    expect(rotatedSize(300, 200, 90)).toEqual({ width: 200, height: 300 });
    expect(rotatedSize(300, 200, 180)).toEqual({ width: 300, height: 200 });
    expect(imageFilter(120, 80)).toBe('brightness(120%) contrast(80%)');
  });
});

describe('PDF search', () => {
  const items = [
    { str: 'Выписной эпикриз', hasEOL: true },
    { str: 'Пациент: Ёлкин Пётр', hasEOL: false },
    { str: ' Иванович', hasEOL: true },
    { str: 'ЭКГ: синусовый ритм. Ритм', hasEOL: false },
  ];

  it('finds every occurrence, case-insensitive, ё = е', () => {
    expect(foldForSearch('ЁЛКА')).toBe('елка');
    expect(findInPage(items, 'ритм', 3)).toEqual([
      { page: 3, parts: [{ item: 3, start: 15, end: 19 }] },
      { page: 3, parts: [{ item: 3, start: 21, end: 25 }] },
    ]);
    expect(findInPage(items, 'елкин', 1)).toEqual([{ page: 1, parts: [{ item: 1, start: 9, end: 14 }] }]);
  });

  it('matches across items and line breaks', () => {
    expect(findInPage(items, 'Пётр Иванович', 1)).toEqual([{ page: 1, parts: [{ item: 1, start: 15, end: 19 }, { item: 2, start: 0, end: 9 }] }]);
    expect(findInPage(items, 'эпикриз пациент', 1)).toEqual([{ page: 1, parts: [{ item: 0, start: 9, end: 16 }, { item: 1, start: 0, end: 7 }] }]);
  });

  it('finds nothing for an empty query', () => {
    expect(findInPage(items, '   ', 1)).toEqual([]);
  });

  it('places a highlight by the viewport transform', () => {
    expect(multiply([2, 0, 0, 2, 0, 0], [1, 0, 0, 1, 10, 20])).toEqual([2, 0, 0, 2, 20, 40]);
    // A4 at scale 1: viewport flips y (height 842).
    const vt = [1, 0, 0, -1, 0, 842];
    const item = { str: 'abcd', transform: [12, 0, 0, 12, 100, 700], width: 40, height: 12 };
    const r = pieceRect(item, 1, 3, vt);
    expect(r.left).toBeCloseTo(110);
    expect(r.width).toBeCloseTo(20);
    expect(r.top).toBeCloseTo(142 - 12 * 0.85);
    expect(r.height).toBeCloseTo(13.2);
    // With measured advances: 'a' is twice as wide as the others.
    const measure = (x: string) => [...x].reduce((n, ch) => n + (ch === 'a' ? 2 : 1), 0);
    const m = pieceRect(item, 1, 3, vt, measure);
    expect(m.left).toBeCloseTo(100 + 40 * (2 / 5));
    expect(m.width).toBeCloseTo(40 * (2 / 5));
  });
});
