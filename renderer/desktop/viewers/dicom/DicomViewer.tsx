import { Box, Divider, Group, NativeSelect, NumberInput, Slider, Switch, Text, Tooltip } from '@mantine/core';
import { useElementSize } from '@mantine/hooks';
import { useEffect, useMemo, useRef, useState, type PointerEvent as ReactPointerEvent, type WheelEvent as ReactWheelEvent } from 'react';
import { t } from '../../../i18n';
import { stageStyle, ToolButton, useViewerKeys, ViewerError, ZoomControls } from '../parts';
import { clampZoom, fitScale, zoomIn, zoomOut } from '../view-math';
import { decodeDicom, DicomDecodeError, type DicomImage, type WindowLevel } from './decode';
import { autoWindow, CT_PRESETS, dragSensitivity, dragWindow, initialWindow, rgbToRgba, windowToRgba } from './window';

function decodeMessage(e: unknown): string {
  if (!(e instanceof DicomDecodeError)) return t('viewers.error.corrupt');
  switch (e.code) {
    case 'UNSUPPORTED_SYNTAX':
      return t('viewers.dicom.unsupportedSyntax', { syntax: e.detail });
    case 'UNSUPPORTED_IMAGE':
      return t('viewers.dicom.unsupportedImage', { detail: e.detail });
    case 'NO_PIXEL_DATA':
      return t('viewers.dicom.noPixels');
    case 'NOT_DICOM':
      return t('viewers.dicom.notDicom');
    case 'TRUNCATED':
      return t('viewers.dicom.truncated');
  }
}

/** DICOM: uncompressed grey or RGB, window/level (file values, CT presets, drag, numbers), frames. */
export default function DicomViewer({ bytes }: { bytes: Uint8Array }) {
  const decoded = useMemo((): { image: DicomImage } | { error: string } => {
    try {
      return { image: decodeDicom(bytes) };
    } catch (e) {
      return { error: decodeMessage(e) };
    }
  }, [bytes]);
  if ('error' in decoded) {
    return (
      <Box style={{ display: 'flex', flex: 1, justifyContent: 'center', alignItems: 'flex-start' }} data-testid="dicom-viewer" data-state="error">
        <ViewerError message={decoded.error} />
      </Box>
    );
  }
  return <DicomImageView image={decoded.image} />;
}

const round = (n: number) => Math.round(n * 10) / 10;

function DicomImageView({ image }: { image: DicomImage }) {
  const grey = image.photometric !== 'RGB';
  const isCt = image.meta.modality.trim().toUpperCase() === 'CT';
  const fileWindow = image.windows[0] ?? null;
  const [frame, setFrame] = useState(0);
  const [win, setWin] = useState<WindowLevel>(() => (grey ? initialWindow(image) : { center: 127.5, width: 256 }));
  const [preset, setPreset] = useState<string>(fileWindow ? 'file' : 'auto');
  const [invert, setInvert] = useState(false);
  const [zoom, setZoom] = useState(1);
  const [fit, setFit] = useState(true);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const drag = useRef<{ x: number; y: number; start: WindowLevel; id: number } | null>(null);
  const { ref: stageRef, width: stageW, height: stageH } = useElementSize<HTMLDivElement>();

  const last = image.frameCount - 1;
  const shownZoom = fit ? fitScale(stageW - 32, stageH - 32, image.columns, image.rows, 8) : zoom;
  const setManualZoom = (z: number) => {
    setFit(false);
    setZoom(clampZoom(z));
  };
  const go = (f: number) => setFrame(Math.min(last, Math.max(0, f)));

  useViewerKeys({
    prev: () => setFrame((f) => Math.max(0, f - 1)),
    next: () => setFrame((f) => Math.min(last, f + 1)),
    first: () => setFrame(0),
    last: () => setFrame(last),
    zoomIn: () => setManualZoom(zoomIn(shownZoom)),
    zoomOut: () => setManualZoom(zoomOut(shownZoom)),
  });

  // MONOCHROME1 shows low values white; the user's «Инверсия» flips on top of that.
  const flip = (image.photometric === 'MONOCHROME1') !== invert;
  useEffect(() => {
    const canvas = canvasRef.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    const values = image.frame(frame);
    const rgba = grey ? windowToRgba(values, win, flip) : rgbToRgba(values, invert);
    ctx.putImageData(new ImageData(rgba as Uint8ClampedArray<ArrayBuffer>, image.columns, image.rows), 0, 0);
  }, [image, frame, win, flip, grey, invert]);

  const choosePreset = (id: string) => {
    setPreset(id);
    if (id === 'file' && fileWindow) setWin(fileWindow);
    else if (id === 'auto') setWin(autoWindow(image.frame(frame)));
    else {
      const p = CT_PRESETS.find((x) => x.id === id);
      if (p) setWin(p.window);
    }
  };
  const setCustom = (w: WindowLevel) => {
    setPreset('custom');
    setWin(w);
  };

  const onPointerDown = (e: ReactPointerEvent<HTMLCanvasElement>) => {
    if (!grey || e.button !== 0) return;
    e.currentTarget.setPointerCapture(e.pointerId);
    drag.current = { x: e.clientX, y: e.clientY, start: win, id: e.pointerId };
  };
  const onPointerMove = (e: ReactPointerEvent<HTMLCanvasElement>) => {
    const d = drag.current;
    if (!d || d.id !== e.pointerId) return;
    setCustom(dragWindow(d.start, e.clientX - d.x, e.clientY - d.y, dragSensitivity(d.start)));
  };
  const onPointerUp = () => {
    drag.current = null;
  };
  const onWheel = (e: ReactWheelEvent) => {
    if (image.frameCount < 2 || e.deltaY === 0) return;
    go(frame + (e.deltaY > 0 ? 1 : -1));
  };

  const presetOptions = [
    ...(fileWindow ? [{ value: 'file', label: t('viewers.dicom.preset.file') }] : []),
    { value: 'auto', label: t('viewers.dicom.preset.auto') },
    ...(isCt ? CT_PRESETS.map((p) => ({ value: p.id, label: t(p.label) })) : []),
    ...(preset === 'custom' ? [{ value: 'custom', label: t('viewers.dicom.preset.custom') }] : []),
  ];

  return (
    <Box style={{ display: 'flex', flexDirection: 'column', flex: 1, minHeight: 0 }} data-testid="dicom-viewer" data-state="ready" data-frame-count={image.frameCount}>
      <Group gap="md" px="md" py={6} wrap="wrap">
        <ZoomControls zoom={shownZoom} onZoomIn={() => setManualZoom(zoomIn(shownZoom))} onZoomOut={() => setManualZoom(zoomOut(shownZoom))} onFit={() => setFit(true)} />
        {grey && (
          <>
            <Divider orientation="vertical" />
            <NativeSelect
              size="xs"
              w={170}
              aria-label={t('viewers.dicom.preset')}
              data={presetOptions}
              value={preset}
              onChange={(e) => choosePreset(e.currentTarget.value)}
              data-testid="dicom-preset"
            />
            <NumberInput
              size="xs"
              w={110}
              label={t('viewers.dicom.center')}
              value={round(win.center)}
              onChange={(v) => typeof v === 'number' && setCustom({ ...win, center: v })}
              step={10}
              data-testid="dicom-wc"
            />
            <NumberInput
              size="xs"
              w={110}
              label={t('viewers.dicom.width')}
              value={round(win.width)}
              min={1}
              onChange={(v) => typeof v === 'number' && v >= 1 && setCustom({ ...win, width: v })}
              step={10}
              data-testid="dicom-ww"
            />
          </>
        )}
        <Switch label={t('viewers.dicom.invert')} checked={invert} onChange={(e) => setInvert(e.currentTarget.checked)} data-testid="dicom-invert" />
        {image.frameCount > 1 && (
          <>
            <Divider orientation="vertical" />
            <Group gap={4} wrap="nowrap" role="group" aria-label={t('viewers.dicom.frames')}>
              <ToolButton label={t('viewers.dicom.prevFrame')} onClick={() => go(frame - 1)} disabled={frame === 0} testId="dicom-prev-frame">
                ‹
              </ToolButton>
              <Slider
                w={180}
                min={1}
                max={image.frameCount}
                value={frame + 1}
                onChange={(v) => go(v - 1)}
                label={null}
                thumbProps={{ 'aria-label': t('viewers.dicom.frames') }}
                data-testid="dicom-frame-slider"
              />
              <ToolButton label={t('viewers.dicom.nextFrame')} onClick={() => go(frame + 1)} disabled={frame === last} testId="dicom-next-frame">
                ›
              </ToolButton>
              <Text size="sm" data-testid="dicom-frame-label" miw={110}>
                {t('viewers.dicom.frame', { frame: frame + 1, total: image.frameCount })}
              </Text>
            </Group>
          </>
        )}
        <Text size="xs" c="dimmed" ml="auto" data-testid="dicom-info">
          {t('viewers.dicom.info', { modality: image.meta.modality || 'OT', columns: image.columns, rows: image.rows, bits: image.bitsStored })}
        </Text>
      </Group>
      <div ref={stageRef} style={stageStyle} onWheel={onWheel}>
        <div style={{ minWidth: '100%', minHeight: '100%', display: 'grid', placeItems: 'center', padding: 16, boxSizing: 'border-box', width: 'max-content' }}>
          <Tooltip label={t('viewers.dicom.hint')} openDelay={1200} disabled={!grey} multiline w={320}>
            <canvas
              ref={canvasRef}
              width={image.columns}
              height={image.rows}
              data-testid="dicom-canvas"
              data-frame={frame}
              data-wc={round(win.center)}
              data-ww={round(win.width)}
              data-invert={String(flip)}
              aria-label={t('viewers.dicom.frame', { frame: frame + 1, total: image.frameCount })}
              onPointerDown={onPointerDown}
              onPointerMove={onPointerMove}
              onPointerUp={onPointerUp}
              onPointerCancel={onPointerUp}
              style={{
                width: image.columns * shownZoom,
                height: image.rows * shownZoom,
                imageRendering: shownZoom >= 2 ? 'pixelated' : 'auto',
                cursor: grey ? 'crosshair' : 'default',
                touchAction: 'none',
                background: '#000',
              }}
            />
          </Tooltip>
        </div>
      </div>
    </Box>
  );
}
