import { renderConclusionPdf, type ConclusionPdfInput } from '../../shared/conclusion/render-pdf.js';
import { loadConclusionFonts } from '../../shared/conclusion/fonts-node.js';

/**
 * The draft rendered locally (offline too) by the same renderer the central API issues with,
 * marked «ЧЕРНОВИК» and without a verification block: what the paper will look like, never a
 * document that could pass for the issued one.
 */
export async function renderDraftPreview(input: Omit<ConclusionPdfInput, 'draft' | 'verificationCode'>): Promise<Uint8Array> {
  return renderConclusionPdf({ ...input, verificationCode: null, draft: true }, await loadConclusionFonts());
}
