/**
 * Pure helpers of the viewers: zoom steps, image transform/filter strings, PDF text search and
 * the geometry of its highlights. No DOM, no pdf.js: unit-tested.
 */

export const MIN_ZOOM = 0.1;
export const MAX_ZOOM = 8;
const STEPS = [0.1, 0.25, 0.33, 0.5, 0.67, 0.75, 0.9, 1, 1.1, 1.25, 1.5, 1.75, 2, 2.5, 3, 4, 5, 6, 8];

export function clampZoom(z: number): number {
  return Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, Number.isFinite(z) ? z : 1));
}

/** The next step up from `z` (a fitted zoom like 0.83 goes to 0.9). */
export function zoomIn(z: number): number {
  return STEPS.find((s) => s > z + 1e-6) ?? MAX_ZOOM;
}

export function zoomOut(z: number): number {
  return [...STEPS].reverse().find((s) => s < z - 1e-6) ?? MIN_ZOOM;
}

/** Scale that fits content of `contentW × contentH` into the box, never above `max`. */
export function fitScale(boxW: number, boxH: number, contentW: number, contentH: number, max = 4): number {
  if (contentW <= 0 || contentH <= 0 || boxW <= 0) return 1;
  const byWidth = boxW / contentW;
  const s = boxH > 0 ? Math.min(byWidth, boxH / contentH) : byWidth;
  return clampZoom(Math.min(max, s));
}

export const percent = (z: number) => `${Math.round(z * 100)}%`;

/** 0, 90, 180 or 270. */
export function rotateBy(rotation: number, delta: number): number {
  return (((rotation + delta) % 360) + 360) % 360;
}

/** The CSS transform of the image: rotation about its centre, then zoom. */
export function imageTransform(zoom: number, rotation: number): string {
  return `rotate(${rotation}deg) scale(${zoom})`;
}

/** Box the rotated image occupies (a quarter turn swaps the sides). */
export function rotatedSize(w: number, h: number, rotation: number): { width: number; height: number } {
  return rotation % 180 === 0 ? { width: w, height: h } : { width: h, height: w };
}

/** CSS filter for brightness and contrast in percent (100 = unchanged). */
export function imageFilter(brightness: number, contrast: number): string {
  return `brightness(${brightness}%) contrast(${contrast}%)`;
}

// ——— PDF text search ———

export interface TextPiece {
  str: string;
  /** pdf.js text item transform [a, b, c, d, e, f] in PDF user space. */
  transform: readonly number[];
  /** Advance of the whole string in user space. */
  width: number;
  height: number;
  hasEOL?: boolean;
}

/** One match: a page and the character ranges of the text items it covers (a match may span items). */
export interface SearchHit {
  page: number;
  parts: { item: number; start: number; end: number }[];
}

/** Case-insensitive, «ё» = «е»; keeps the length so offsets map back 1:1. */
export function foldForSearch(s: string): string {
  return s.toLocaleLowerCase('ru-RU').replace(/ё/g, 'е');
}

/**
 * Every occurrence of `query` on one page. Items are joined as pdf.js lays them out (a line
 * break becomes a space), so «Иванов Иван» is found across two items too.
 */
export function findInPage(items: readonly Pick<TextPiece, 'str' | 'hasEOL'>[], query: string, page: number): SearchHit[] {
  const q = foldForSearch(query.trim().replace(/\s+/g, ' '));
  if (!q) return [];
  let joined = '';
  const owner: { item: number; offset: number }[] = [];
  items.forEach((it, i) => {
    for (let k = 0; k < it.str.length; k++) owner.push({ item: i, offset: k });
    joined += it.str;
    if (it.hasEOL) {
      owner.push({ item: -1, offset: 0 });
      joined += ' ';
    }
  });
  const text = foldForSearch(joined).replace(/\s/g, ' ');
  const hits: SearchHit[] = [];
  for (let at = text.indexOf(q); at !== -1; at = text.indexOf(q, at + q.length)) {
    const parts: SearchHit['parts'] = [];
    for (let k = at; k < at + q.length; k++) {
      const o = owner[k];
      if (!o || o.item < 0) continue;
      const last = parts[parts.length - 1];
      if (last && last.item === o.item && last.end === o.offset) last.end++;
      else parts.push({ item: o.item, start: o.offset, end: o.offset + 1 });
    }
    if (parts.length) hits.push({ page, parts });
  }
  return hits;
}

/** pdf.js `Util.transform`: m1 × m2 for 2-D affine matrices [a, b, c, d, e, f]. */
export function multiply(m1: readonly number[], m2: readonly number[]): number[] {
  const [a1 = 1, b1 = 0, c1 = 0, d1 = 1, e1 = 0, f1 = 0] = m1;
  const [a2 = 1, b2 = 0, c2 = 0, d2 = 1, e2 = 0, f2 = 0] = m2;
  return [a1 * a2 + c1 * b2, b1 * a2 + d1 * b2, a1 * c2 + c1 * d2, b1 * c2 + d1 * d2, a1 * e2 + c1 * f2 + e1, b1 * e2 + d1 * f2 + f1];
}

export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * Where characters [start, end) of a horizontal text item sit on the rendered page (CSS pixels),
 * given the viewport transform; the x extent is interpolated within the item's advance (pdf.js
 * gives only the whole string's width) — exact enough for a highlight box.
 */
export function pieceRect(item: TextPiece, start: number, end: number, viewportTransform: readonly number[], measure?: (s: string) => number): Rect {
  const tx = multiply(viewportTransform, item.transform);
  const fontHeight = Math.hypot(tx[2]!, tx[3]!) || item.height;
  const scale = Math.hypot(viewportTransform[0]!, viewportTransform[1]!);
  const total = item.width * scale;
  // Where the k-th character starts, as a share of the whole string: by a measured font's
  // advances when given (closer for proportional fonts), else by character count.
  const whole = measure ? measure(item.str) : 0;
  const share = (k: number) => (whole > 0 ? measure!(item.str.slice(0, k)) / whole : k / Math.max(1, item.str.length));
  const x0 = tx[4]! + total * share(start);
  const x1 = tx[4]! + total * share(end);
  // Baseline at tx[5]; the box covers the ascent and a little of the descent.
  return { left: Math.min(x0, x1), top: tx[5]! - fontHeight * 0.85, width: Math.abs(x1 - x0), height: fontHeight * 1.1 };
}
