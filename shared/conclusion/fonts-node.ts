import type { ConclusionFonts } from './render-pdf.js';

/**
 * Loads DejaVu Sans (regular and bold) for Node callers of `renderConclusionPdf`: the central API
 * and the desktop services. Never import it from the renderer.
 *
 * shared/ is environment-free, and the renderer's type check and bundle include every file here;
 * so `node:fs` is reached through a dynamic import of a module name held in a variable, which
 * neither of them follows. Default place: `<repo>/assets/fonts`, found relative to this module,
 * which is the same two levels up from `shared/conclusion/` in the source tree and from
 * `dist/electron/` in the desktop bundle; a packaged app passes its resources directory.
 */
interface NodeFsPromises {
  readFile(path: URL | string): Promise<Uint8Array>;
}

const FS_MODULE = 'node:fs/promises';

export const CONCLUSION_FONT_FILES = { regular: 'DejaVuSans.ttf', bold: 'DejaVuSans-Bold.ttf' } as const;

let cached: Promise<ConclusionFonts> | undefined;

export function loadConclusionFonts(dir?: string | URL): Promise<ConclusionFonts> {
  if (dir === undefined && cached) return cached;
  const load = (async () => {
    const fs = (await import(/* @vite-ignore */ FS_MODULE)) as NodeFsPromises;
    const base = dir === undefined ? new URL('../../assets/fonts/', import.meta.url) : typeof dir === 'string' ? dir.replace(/[\\/]?$/, '/') : dir;
    const at = (file: string) => (typeof base === 'string' ? base + file : new URL(file, base));
    const [regular, bold] = await Promise.all([fs.readFile(at(CONCLUSION_FONT_FILES.regular)), fs.readFile(at(CONCLUSION_FONT_FILES.bold))]);
    return { regular: new Uint8Array(regular), bold: new Uint8Array(bold) };
  })();
  if (dir === undefined) {
    cached = load;
    // A failed read is not remembered: the next call tries again.
    load.catch(() => {
      if (cached === load) cached = undefined;
    });
  }
  return load;
}
