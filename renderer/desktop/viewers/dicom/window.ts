import type { DicomImage, WindowLevel } from './decode';

/**
 * Window/level → RGBA, pure. The linear VOI function of DICOM PS3.3 C.11.2.1.2.1:
 *   x ≤ c − 0.5 − (w − 1)/2 → 0;  x > c − 0.5 + (w − 1)/2 → 255;
 *   else ((x − (c − 0.5)) / (w − 1) + 0.5) × 255.
 * MONOCHROME1 (and the user's «инверсия») flip the output.
 */

export const MIN_WIDTH = 1;

/** Output grey level 0…255 for one modality value. */
export function voiLinear(x: number, w: WindowLevel): number {
  const width = Math.max(MIN_WIDTH, w.width);
  const c = w.center - 0.5;
  const half = (width - 1) / 2;
  if (x <= c - half) return 0;
  if (x > c + half) return 255;
  if (width === 1) return 255;
  return ((x - c) / (width - 1) + 0.5) * 255;
}

/** Greyscale modality values → RGBA pixels under the window; `invert` flips black and white. */
export function windowToRgba(values: Float32Array, w: WindowLevel, invert: boolean, out?: Uint8ClampedArray): Uint8ClampedArray {
  const rgba = out && out.length === values.length * 4 ? out : new Uint8ClampedArray(values.length * 4);
  // A lookup would need integer inputs; the direct formula is fast enough for a few megapixels.
  const width = Math.max(MIN_WIDTH, w.width);
  const c = w.center - 0.5;
  const lo = c - (width - 1) / 2;
  const hi = c + (width - 1) / 2;
  const scale = width === 1 ? 0 : 255 / (width - 1);
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    let y = x <= lo ? 0 : x > hi ? 255 : width === 1 ? 255 : (x - c) * scale + 127.5;
    if (invert) y = 255 - y;
    const o = i * 4;
    rgba[o] = y;
    rgba[o + 1] = y;
    rgba[o + 2] = y;
    rgba[o + 3] = 255;
  }
  return rgba;
}

/** Interleaved RGB (0…255) → RGBA. */
export function rgbToRgba(values: Float32Array, invert: boolean, out?: Uint8ClampedArray): Uint8ClampedArray {
  const n = values.length / 3;
  const rgba = out && out.length === n * 4 ? out : new Uint8ClampedArray(n * 4);
  for (let p = 0; p < n; p++) {
    for (let s = 0; s < 3; s++) {
      const v = values[p * 3 + s]!;
      rgba[p * 4 + s] = invert ? 255 - v : v;
    }
    rgba[p * 4 + 3] = 255;
  }
  return rgba;
}

/** The frame's whole value range as a window (min…max). */
export function autoWindow(values: Float32Array): WindowLevel {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!Number.isFinite(min)) return { center: 127.5, width: 256 };
  return { center: (min + max) / 2 + 0.5, width: Math.max(MIN_WIDTH, max - min + 1) };
}

/** The window the viewer opens with: the file's first, else min…max of the first frame. */
export function initialWindow(image: DicomImage): WindowLevel {
  return image.windows[0] ?? autoWindow(image.frame(0));
}

export interface WindowPreset {
  id: string;
  /** i18n key of the name. */
  label: 'viewers.dicom.preset.soft' | 'viewers.dicom.preset.lung' | 'viewers.dicom.preset.bone' | 'viewers.dicom.preset.brain' | 'viewers.dicom.preset.abdomen';
  window: WindowLevel;
}

/** Standard CT presets (in HU); offered for CT images. */
export const CT_PRESETS: readonly WindowPreset[] = [
  { id: 'soft', label: 'viewers.dicom.preset.soft', window: { center: 40, width: 400 } },
  { id: 'lung', label: 'viewers.dicom.preset.lung', window: { center: -600, width: 1500 } },
  { id: 'bone', label: 'viewers.dicom.preset.bone', window: { center: 400, width: 1800 } },
  { id: 'brain', label: 'viewers.dicom.preset.brain', window: { center: 40, width: 80 } },
  { id: 'abdomen', label: 'viewers.dicom.preset.abdomen', window: { center: 60, width: 400 } },
];

/**
 * Mouse drag on the image: right widens the window (less contrast), down raises the centre
 * (darker), as in most DICOM viewers. `sensitivity`: modality units per pixel moved.
 */
export function dragWindow(start: WindowLevel, dx: number, dy: number, sensitivity: number): WindowLevel {
  return { center: start.center + dy * sensitivity, width: Math.max(MIN_WIDTH, start.width + dx * sensitivity) };
}

/** Units per dragged pixel: a 300-pixel drag sweeps roughly the window's own width. */
export function dragSensitivity(w: WindowLevel): number {
  return Math.max(0.25, w.width / 300);
}
