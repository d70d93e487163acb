import { expect, type Locator, type Page } from '@playwright/test';

/** The part of a canvas the digest reads (the e2e project compiles without the DOM library). */
interface CanvasLike {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null;
}

export type ViewerKind = 'pdf' | 'image' | 'dicom';

/**
 * The full-screen document viewer (PDF, JPEG/PNG, DICOM), opened with «Открыть» in a document
 * row (`document-row` → `document-open`). Pixel checks read the canvas back in the page.
 */
export class DocumentViewer {
  readonly root: Locator;
  readonly source: Locator;
  readonly error: Locator;
  readonly zoomIn: Locator;
  readonly zoomOut: Locator;
  readonly zoomValue: Locator;
  readonly fit: Locator;
  // PDF
  readonly pdfCanvas: Locator;
  readonly pageLabel: Locator;
  readonly thumbnails: Locator;
  readonly searchInput: Locator;
  readonly searchCount: Locator;
  readonly searchNext: Locator;
  readonly highlights: Locator;
  // image
  readonly image: Locator;
  readonly rotateRight: Locator;
  readonly rotateLeft: Locator;
  // DICOM
  readonly dicomViewer: Locator;
  readonly dicomCanvas: Locator;
  readonly preset: Locator;
  readonly windowCenter: Locator;
  readonly windowWidth: Locator;
  readonly nextFrame: Locator;
  readonly prevFrame: Locator;
  readonly frameLabel: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByTestId('document-viewer');
    this.source = this.root.getByTestId('viewer-source');
    this.error = this.root.getByTestId('viewer-error');
    this.zoomIn = this.root.getByTestId('viewer-zoom-in');
    this.zoomOut = this.root.getByTestId('viewer-zoom-out');
    this.zoomValue = this.root.getByTestId('viewer-zoom-value');
    this.fit = this.root.getByTestId('viewer-fit');
    this.pdfCanvas = this.root.getByTestId('pdf-canvas');
    this.pageLabel = this.root.getByTestId('pdf-page-label');
    this.thumbnails = this.root.getByTestId('pdf-thumbnail');
    this.searchInput = this.root.getByTestId('pdf-search-input');
    this.searchCount = this.root.getByTestId('pdf-search-count');
    this.searchNext = this.root.getByTestId('pdf-search-next');
    this.highlights = this.root.getByTestId('pdf-highlight');
    this.image = this.root.getByTestId('image-view');
    this.rotateRight = this.root.getByTestId('image-rotate-right');
    this.rotateLeft = this.root.getByTestId('image-rotate-left');
    this.dicomViewer = this.root.getByTestId('dicom-viewer');
    this.dicomCanvas = this.root.getByTestId('dicom-canvas');
    this.preset = this.root.getByTestId('dicom-preset');
    this.windowCenter = this.root.getByTestId('dicom-wc');
    this.windowWidth = this.root.getByTestId('dicom-ww');
    this.nextFrame = this.root.getByTestId('dicom-next-frame');
    this.prevFrame = this.root.getByTestId('dicom-prev-frame');
    this.frameLabel = this.root.getByTestId('dicom-frame-label');
  }

  /** «Открыть» in the row of the document (any list with `document-row` rows). */
  async openFromRow(documentId: string, kind: ViewerKind): Promise<this> {
    await this.page.locator(`[data-testid="document-row"][data-document-id="${documentId}"]`).getByTestId('document-open').click();
    return this.waitFor(kind);
  }

  async waitFor(kind: ViewerKind): Promise<this> {
    await expect(this.root).toBeVisible();
    await expect(this.root).toHaveAttribute('data-state', 'loaded', { timeout: 20_000 });
    await expect(this.root).toHaveAttribute('data-viewer-kind', kind);
    return this;
  }

  /** «из кэша» / «с сервера». */
  async expectSource(fromCache: boolean): Promise<void> {
    await expect(this.source).toHaveAttribute('data-from-cache', String(fromCache));
    await expect(this.source).toHaveText(fromCache ? 'из кэша' : 'с сервера');
  }

  async close(): Promise<void> {
    await this.page.keyboard.press('Escape');
    await expect(this.root).toBeHidden();
  }

  // ——— PDF ———

  async waitForPdfPage(page: number): Promise<void> {
    await expect(this.pageLabel).toHaveAttribute('data-page', String(page));
    await expect(this.pdfCanvas).toHaveAttribute('data-page', String(page));
    await expect(this.pdfCanvas).toHaveAttribute('data-rendered', new RegExp(`^${page}@`), { timeout: 20_000 });
  }

  async search(text: string): Promise<void> {
    await this.searchInput.fill(text);
    await expect(this.searchCount).not.toHaveAttribute('data-count', '');
  }

  // ——— pixels ———

  /** A digest of a canvas' pixels (and how many are not background), read in the page. */
  async canvasDigest(canvas: Locator): Promise<{ hash: string; nonBlank: number; width: number; height: number }> {
    return canvas.evaluate((el) => {
      const c = el as unknown as CanvasLike;
      const ctx = c.getContext('2d');
      if (!ctx || c.width === 0 || c.height === 0) return { hash: '', nonBlank: 0, width: c.width, height: c.height };
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      let h = 2166136261;
      let nonBlank = 0;
      const first = [d[0], d[1], d[2]];
      for (let i = 0; i < d.length; i += 4) {
        if (d[i] !== first[0] || d[i + 1] !== first[1] || d[i + 2] !== first[2]) nonBlank++;
        for (let k = 0; k < 3; k++) h = Math.imul(h ^ d[i + k]!, 16777619) >>> 0;
      }
      return { hash: h.toString(16), nonBlank, width: c.width, height: c.height };
    });
  }
}
