// TEMPORARY SCAFFOLD: the offline document viewers (PDF, images, DICOM) are being built.
export function DocumentViewer(_props: { documentId: string; fileName: string; mime: string; onClose: () => void }) {
  return null;
}
