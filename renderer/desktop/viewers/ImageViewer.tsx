import { Box, Button, Divider, Group, Slider, Text } from '@mantine/core';
import { useElementSize } from '@mantine/hooks';
import { useEffect, useState } from 'react';
import { t } from '../../i18n';
import { stageStyle, ToolButton, useViewerKeys, ViewerError, ZoomControls } from './parts';
import { clampZoom, fitScale, imageFilter, imageTransform, rotateBy, rotatedSize, zoomIn, zoomOut } from './view-math';

/** JPEG/PNG: zoom, quarter-turn rotation, brightness and contrast (CSS transform/filter on a blob: URL). */
export function ImageViewer({ bytes, mime, fileName }: { bytes: Uint8Array; mime: string; fileName: string }) {
  const [url, setUrl] = useState<string | null>(null);
  const [natural, setNatural] = useState<{ w: number; h: number } | null>(null);
  const [failed, setFailed] = useState(false);
  const [zoom, setZoom] = useState(1);
  const [fit, setFit] = useState(true);
  const [rotation, setRotation] = useState(0);
  const [brightness, setBrightness] = useState(100);
  const [contrast, setContrast] = useState(100);
  const { ref: stageRef, width: stageW, height: stageH } = useElementSize<HTMLDivElement>();

  useEffect(() => {
    const u = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: mime }));
    setUrl(u);
    return () => URL.revokeObjectURL(u);
  }, [bytes, mime]);

  const box = natural ? rotatedSize(natural.w, natural.h, rotation) : null;
  const shownZoom = fit && box ? fitScale(stageW - 32, stageH - 32, box.width, box.height, 1) : zoom;

  const setManualZoom = (z: number) => {
    setFit(false);
    setZoom(clampZoom(z));
  };
  useViewerKeys({ zoomIn: () => setManualZoom(zoomIn(shownZoom)), zoomOut: () => setManualZoom(zoomOut(shownZoom)) });

  if (failed) return <ViewerError message={t('viewers.error.corrupt')} />;

  const outer = box ? { width: Math.max(1, box.width * shownZoom), height: Math.max(1, box.height * shownZoom) } : { width: 1, height: 1 };
  return (
    <Box style={{ display: 'flex', flexDirection: 'column', flex: 1, minHeight: 0 }} data-testid="image-viewer">
      <Group gap="md" px="md" py={6} wrap="wrap">
        <ZoomControls zoom={shownZoom} onZoomIn={() => setManualZoom(zoomIn(shownZoom))} onZoomOut={() => setManualZoom(zoomOut(shownZoom))} onFit={() => setFit(true)} />
        <Divider orientation="vertical" />
        <Group gap={4}>
          <ToolButton label={t('viewers.image.rotateLeft')} onClick={() => setRotation((r) => rotateBy(r, -90))} testId="image-rotate-left">
            ⟲
          </ToolButton>
          <ToolButton label={t('viewers.image.rotateRight')} onClick={() => setRotation((r) => rotateBy(r, 90))} testId="image-rotate-right">
            ⟳
          </ToolButton>
        </Group>
        <Divider orientation="vertical" />
        <Group gap="xs" wrap="nowrap">
          <Text size="sm" id="image-brightness-label">
            {t('viewers.image.brightness')}
          </Text>
          <Slider
            w={140}
            min={20}
            max={200}
            step={5}
            value={brightness}
            onChange={setBrightness}
            label={(v) => `${v}%`}
            thumbProps={{ 'aria-labelledby': 'image-brightness-label' }}
            data-testid="image-brightness"
          />
        </Group>
        <Group gap="xs" wrap="nowrap">
          <Text size="sm" id="image-contrast-label">
            {t('viewers.image.contrast')}
          </Text>
          <Slider
            w={140}
            min={20}
            max={200}
            step={5}
            value={contrast}
            onChange={setContrast}
            label={(v) => `${v}%`}
            thumbProps={{ 'aria-labelledby': 'image-contrast-label' }}
            data-testid="image-contrast"
          />
        </Group>
        <Button
          variant="subtle"
          size="compact-sm"
          onClick={() => {
            setBrightness(100);
            setContrast(100);
            setRotation(0);
            setFit(true);
          }}
          data-testid="image-reset"
        >
          {t('viewers.image.reset')}
        </Button>
      </Group>
      <div ref={stageRef} style={stageStyle}>
        <div style={{ minWidth: '100%', minHeight: '100%', display: 'grid', placeItems: 'center', padding: 16, boxSizing: 'border-box', width: 'max-content' }}>
          <div style={{ position: 'relative', ...outer }}>
            {url && (
              <img
                src={url}
                alt={fileName}
                draggable={false}
                data-testid="image-view"
                data-rotation={rotation}
                onLoad={(e) => setNatural({ w: e.currentTarget.naturalWidth, h: e.currentTarget.naturalHeight })}
                onError={() => setFailed(true)}
                style={{
                  position: 'absolute',
                  left: '50%',
                  top: '50%',
                  width: natural?.w,
                  height: natural?.h,
                  maxWidth: 'none',
                  translate: '-50% -50%',
                  transform: imageTransform(shownZoom, rotation),
                  filter: imageFilter(brightness, contrast),
                  visibility: natural ? 'visible' : 'hidden',
                }}
              />
            )}
          </div>
        </div>
      </div>
    </Box>
  );
}
