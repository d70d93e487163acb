export { renderConclusionPdf, CONCLUSION_TITLE, formatDate, formatDateTime, formatIsoDate, formatSnils, type ConclusionFonts, type ConclusionPdfInput } from './render-pdf.js';
export { canonicalJson, conclusionVerificationCode, groupCode, sha256Hex, verificationUrl, type ConclusionFacts, type ConclusionPatient } from './verification.js';
