import { Badge, Center, Group, Loader, Modal, Stack, Text, Tooltip } from '@mantine/core';
import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { RpcError } from '../../../shared/rpc/messages';
import { t } from '../../i18n';
import { useRpc } from '../../rpc/context';
import { ImageViewer } from './ImageViewer';
import { base64ToBytes, viewerKind } from './kinds';
import { ViewerError } from './parts';

// Each heavy viewer is its own lazy chunk: pdf.js (≈ 0.5 MB plus its worker) and dicom-parser
// load only when such a document is opened.
const PdfViewer = lazy(() => import('./pdf/PdfViewer'));
const DicomViewer = lazy(() => import('./dicom/DicomViewer'));

type Loaded = { bytes: Uint8Array; mime: string; fileName: string; fromCache: boolean };
type State = { kind: 'loading' } | { kind: 'error'; message: string; code: string } | { kind: 'loaded'; doc: Loaded };

/**
 * The services' own message when they gave one (Russian, says what to do: «документ ещё не
 * скачан на этот компьютер…»); otherwise ours by code. Offline without a cached copy is
 * SERVER_UNREACHABLE.
 */
function readError(e: unknown): { message: string; code: string } {
  if (!(e instanceof RpcError)) return { code: 'INTERNAL', message: t('viewers.error.generic') };
  const fallback =
    e.code === 'SERVER_UNREACHABLE'
      ? t('viewers.error.offline')
      : e.code === 'NOT_FOUND'
        ? t('viewers.error.notFound')
        : e.code === 'FORBIDDEN'
          ? t('viewers.error.forbidden')
          : t('viewers.error.generic');
  return { code: e.code, message: /[а-яё]/i.test(e.message) ? e.message : fallback };
}

/**
 * A document opened full-screen, offline too: the bytes come from the desktop services
 * (`documents.read`, from the local cache or the server), the viewer is chosen by MIME type —
 * PDF (pages, thumbnails, zoom, search), JPEG/PNG (zoom, rotate, brightness/contrast), DICOM
 * (window/level, frames). Esc closes; ←/→ pages or frames; +/− zoom.
 */
export function DocumentViewer({ documentId, fileName, mime, onClose }: { documentId: string; fileName: string; mime: string; onClose: () => void }) {
  const rpc = useRpc();
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let alive = true;
    setState({ kind: 'loading' });
    rpc.call('documents.read', { documentId }).then(
      (r) => {
        if (!alive) return;
        try {
          setState({ kind: 'loaded', doc: { bytes: base64ToBytes(r.base64), mime: r.mime || mime, fileName: r.fileName || fileName, fromCache: r.fromCache } });
        } catch {
          setState({ kind: 'error', code: 'CORRUPT', message: t('viewers.error.corrupt') });
        }
      },
      (e: unknown) => {
        if (alive) setState({ kind: 'error', ...readError(e) });
      },
    );
    return () => {
      alive = false;
    };
  }, [rpc, documentId, mime, fileName, attempt]);

  const retry = useCallback(() => setAttempt((a) => a + 1), []);
  const doc = state.kind === 'loaded' ? state.doc : null;
  const kind = viewerKind(doc?.mime ?? mime);
  const shownName = doc?.fileName ?? fileName;

  return (
    <Modal.Root opened onClose={onClose} fullScreen size="100%" returnFocus closeOnEscape transitionProps={{ duration: 0 }}>
      <Modal.Overlay />
      <Modal.Content
        aria-label={t('viewers.title')}
        data-testid="document-viewer"
        data-document-id={documentId}
        data-viewer-kind={kind ?? 'unknown'}
        data-state={state.kind}
        data-error-code={state.kind === 'error' ? state.code : undefined}
        style={{ display: 'flex', flexDirection: 'column', height: '100dvh', width: '100vw', maxWidth: '100vw', flex: 'none' }}
      >
        <Modal.Header style={{ borderBottom: '1px solid var(--mantine-color-gray-3)', minHeight: 48, paddingBlock: 4 }}>
          <Modal.Title style={{ minWidth: 0 }}>
            <Group gap="sm" wrap="nowrap">
              <Text fw={600} truncate="end" maw="60vw" data-testid="viewer-file-name">
                {shownName}
              </Text>
              {doc && (
                <Tooltip label={doc.fromCache ? t('viewers.fromCache.hint') : t('viewers.fromServer.hint')} withArrow>
                  <Badge variant="light" color={doc.fromCache ? 'teal' : 'blue'} data-testid="viewer-source" data-from-cache={String(doc.fromCache)}>
                    {doc.fromCache ? t('viewers.fromCache') : t('viewers.fromServer')}
                  </Badge>
                </Tooltip>
              )}
            </Group>
          </Modal.Title>
          <Modal.CloseButton aria-label={t('viewers.close')} title={t('viewers.close')} data-testid="viewer-close" />
        </Modal.Header>
        <Modal.Body style={{ flex: 1, minHeight: 0, display: 'flex', flexDirection: 'column', padding: 0 }}>
          {state.kind === 'loading' && (
            <Center flex={1} data-testid="viewer-loading">
              <Stack align="center" gap="xs">
                <Loader />
                <Text c="dimmed">{t('viewers.loading')}</Text>
              </Stack>
            </Center>
          )}
          {state.kind === 'error' && (
            <Center flex={1}>
              <ViewerError message={state.message} onRetry={retry} />
            </Center>
          )}
          {doc && (
            <Suspense
              fallback={
                <Center flex={1}>
                  <Loader />
                </Center>
              }
            >
              {kind === 'pdf' && <PdfViewer bytes={doc.bytes} />}
              {kind === 'image' && <ImageViewer bytes={doc.bytes} mime={doc.mime} fileName={doc.fileName} />}
              {kind === 'dicom' && <DicomViewer bytes={doc.bytes} />}
              {kind === null && (
                <Center flex={1}>
                  <ViewerError message={t('viewers.error.unknownType', { mime: doc.mime })} />
                </Center>
              )}
            </Suspense>
          )}
        </Modal.Body>
      </Modal.Content>
    </Modal.Root>
  );
}
