// TEMPORARY SCAFFOLD: the structured conclusion editor is being built.
export function ConclusionEditor(_props: { requestId: string; consultationId: string | null; onClose: () => void }) {
  return null;
}
