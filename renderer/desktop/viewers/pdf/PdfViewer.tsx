import { Box, Center, Divider, Group, Loader, ScrollArea, Stack, Text, TextInput, UnstyledButton } from '@mantine/core';
import { useDebouncedValue, useElementSize } from '@mantine/hooks';
import { getDocument, GlobalWorkerOptions, type PDFDocumentProxy } from 'pdfjs-dist';
import type { TextItem } from 'pdfjs-dist/types/src/display/api';
// The worker is a file of our own bundle (no CDN): Vite copies it into dist/renderer/assets and
// gives its URL; CSP `worker-src 'self'` (or `script-src 'self'` as its fallback) admits it.
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent, type RefObject } from 'react';
import { t } from '../../../i18n';
import { scrollWithin, stageStyle, ToolButton, useViewerKeys, ViewerError, ZoomControls } from '../parts';
import { clampZoom, findInPage, fitScale, pieceRect, zoomIn, zoomOut, type SearchHit, type TextPiece } from '../view-math';

GlobalWorkerOptions.workerSrc = workerUrl;

const THUMB_WIDTH = 112;

type Geom = { width: number; height: number; transform: number[] };

function isTextItem(x: unknown): x is TextItem {
  return typeof x === 'object' && x !== null && 'str' in x && 'transform' in x;
}

/**
 * PDF with pdf.js: one page at a time on a canvas, thumbnails on the left, zoom (steps, fit to
 * width), text search with highlights and next/previous. Loaded lazily (own chunk).
 */
export default function PdfViewer({ bytes }: { bytes: Uint8Array }) {
  const [doc, setDoc] = useState<PDFDocumentProxy | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setDoc(null);
    setError(null);
    // pdf.js moves the buffer to its worker: hand it a copy, ours stays usable.
    // No WebAssembly (the CSP has no 'wasm-unsafe-eval'); pdf.js 6 has no eval path at all.
    const task = getDocument({ data: bytes.slice(), useWasm: false, enableXfa: false, stopAtErrors: false });
    task.promise.then(setDoc, (e: unknown) => {
      const name = typeof e === 'object' && e !== null && 'name' in e ? String(e.name) : '';
      setError(name === 'PasswordException' ? t('viewers.pdf.password') : t('viewers.error.corrupt'));
    });
    return () => {
      void task.destroy();
    };
  }, [bytes]);

  if (error) {
    return (
      <Center flex={1} data-testid="pdf-viewer" data-state="error">
        <ViewerError message={error} />
      </Center>
    );
  }
  if (!doc) {
    return (
      <Center flex={1} data-testid="pdf-viewer" data-state="loading">
        <Loader />
      </Center>
    );
  }
  return <PdfDocumentView doc={doc} />;
}

function PdfDocumentView({ doc }: { doc: PDFDocumentProxy }) {
  const total = doc.numPages;
  const [page, setPage] = useState(1);
  const [zoom, setZoom] = useState(1);
  const [fit, setFit] = useState(true);
  const [pageSize, setPageSize] = useState<{ w: number; h: number } | null>(null);
  const { ref: stageRef, width: stageW } = useElementSize<HTMLDivElement>();
  const thumbsRef = useRef<HTMLDivElement>(null);

  // Text of each page, fetched once (search and highlights share it).
  const texts = useRef(new Map<number, Promise<TextPiece[]>>());
  const pageText = useCallback(
    (n: number): Promise<TextPiece[]> => {
      let p = texts.current.get(n);
      if (!p) {
        p = doc
          .getPage(n)
          .then((pg) => pg.getTextContent())
          .then((c) => c.items.filter(isTextItem).map((i) => ({ str: i.str, transform: i.transform as number[], width: i.width, height: i.height, hasEOL: i.hasEOL })));
        texts.current.set(n, p);
      }
      return p;
    },
    [doc],
  );

  useEffect(() => {
    let alive = true;
    void doc.getPage(page).then((pg) => {
      const vp = pg.getViewport({ scale: 1 });
      if (alive) setPageSize({ w: vp.width, h: vp.height });
    });
    return () => {
      alive = false;
    };
  }, [doc, page]);

  const scale = fit && pageSize ? fitScale(stageW - 48, 0, pageSize.w, pageSize.h, 3) : zoom;
  const setManualZoom = (z: number) => {
    setFit(false);
    setZoom(clampZoom(z));
  };
  const go = useCallback((n: number) => setPage(Math.min(total, Math.max(1, n))), [total]);

  // ——— search ———
  const [query, setQuery] = useState('');
  const [debounced] = useDebouncedValue(query, 250);
  const [hits, setHits] = useState<SearchHit[] | null>(null);
  const [hitIndex, setHitIndex] = useState(0);
  const [searching, setSearching] = useState(false);
  const pageRef = useRef(page);
  pageRef.current = page;

  useEffect(() => {
    const q = debounced.trim();
    if (!q) {
      setHits(null);
      setSearching(false);
      return;
    }
    let alive = true;
    setSearching(true);
    void (async () => {
      const all: SearchHit[] = [];
      for (let n = 1; n <= total && alive; n++) all.push(...findInPage(await pageText(n), q, n));
      if (!alive) return;
      setHits(all);
      setSearching(false);
      // Start from the first match on or after the page being read.
      const from = all.findIndex((h) => h.page >= pageRef.current);
      const i = from === -1 ? 0 : from;
      setHitIndex(i);
      if (all[i]) setPage(all[i].page);
    })().catch(() => {
      if (alive) {
        setHits([]);
        setSearching(false);
      }
    });
    return () => {
      alive = false;
    };
  }, [debounced, total, pageText]);

  const stepHit = (delta: number) => {
    if (!hits?.length) return;
    const i = (hitIndex + delta + hits.length) % hits.length;
    setHitIndex(i);
    setPage(hits[i]!.page);
  };
  const onSearchKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      stepHit(e.shiftKey ? -1 : 1);
    }
  };

  useViewerKeys({
    prev: () => go(pageRef.current - 1),
    next: () => go(pageRef.current + 1),
    first: () => go(1),
    last: () => go(total),
    zoomIn: () => setManualZoom(zoomIn(scale)),
    zoomOut: () => setManualZoom(zoomOut(scale)),
  });

  const pageHits = useMemo(() => (hits ?? []).map((h, i) => ({ h, i })).filter((x) => x.h.page === page), [hits, page]);

  return (
    <Box style={{ display: 'flex', flexDirection: 'column', flex: 1, minHeight: 0 }} data-testid="pdf-viewer" data-state="ready" data-page-count={total}>
      <Group gap="md" px="md" py={6} wrap="wrap">
        <Group gap={4} wrap="nowrap">
          <ToolButton label={t('viewers.pdf.prev')} onClick={() => go(page - 1)} disabled={page <= 1} testId="pdf-prev">
            ‹
          </ToolButton>
          <Text size="sm" miw={130} ta="center" data-testid="pdf-page-label" data-page={page}>
            {t('viewers.pdf.page', { page, total })}
          </Text>
          <ToolButton label={t('viewers.pdf.next')} onClick={() => go(page + 1)} disabled={page >= total} testId="pdf-next">
            ›
          </ToolButton>
        </Group>
        <Divider orientation="vertical" />
        <ZoomControls zoom={scale} onZoomIn={() => setManualZoom(zoomIn(scale))} onZoomOut={() => setManualZoom(zoomOut(scale))} onFit={() => setFit(true)} fitLabel={t('viewers.fitWidth')} />
        <Divider orientation="vertical" />
        <Group gap={4} wrap="nowrap" role="search">
          <TextInput
            size="xs"
            w={220}
            placeholder={t('viewers.pdf.search.placeholder')}
            aria-label={t('viewers.pdf.search')}
            value={query}
            onChange={(e) => setQuery(e.currentTarget.value)}
            onKeyDown={onSearchKey}
            data-testid="pdf-search-input"
          />
          <ToolButton label={t('viewers.pdf.search.prev')} onClick={() => stepHit(-1)} disabled={!hits?.length} testId="pdf-search-prev">
            ↑
          </ToolButton>
          <ToolButton label={t('viewers.pdf.search.next')} onClick={() => stepHit(1)} disabled={!hits?.length} testId="pdf-search-next">
            ↓
          </ToolButton>
          <Text size="sm" miw={90} data-testid="pdf-search-count" data-count={hits?.length ?? ''} aria-live="polite">
            {searching ? t('viewers.pdf.search.busy') : hits === null ? '' : hits.length === 0 ? t('viewers.pdf.search.none') : t('viewers.pdf.search.count', { current: hitIndex + 1, total: hits.length })}
          </Text>
        </Group>
      </Group>
      <Box style={{ display: 'flex', flex: 1, minHeight: 0 }}>
        <ScrollArea viewportRef={thumbsRef} w={THUMB_WIDTH + 36} style={{ borderRight: '1px solid var(--mantine-color-gray-3)' }} aria-label={t('viewers.pdf.thumbnails')} data-testid="pdf-thumbnails">
          <Stack gap="sm" p="sm">
            {Array.from({ length: total }, (_, i) => (
              <Thumbnail key={i + 1} doc={doc} n={i + 1} active={i + 1 === page} onOpen={go} scroller={thumbsRef} />
            ))}
          </Stack>
        </ScrollArea>
        <div ref={stageRef} style={stageStyle} data-viewer-scroll="">
          <div style={{ minWidth: '100%', display: 'flex', justifyContent: 'center', padding: 24, boxSizing: 'border-box', width: 'max-content' }}>
            <PageCanvas doc={doc} n={page} scale={scale} pageText={pageText} hits={pageHits} currentHit={hitIndex} />
          </div>
        </div>
      </Box>
    </Box>
  );
}

let measureCtx: CanvasRenderingContext2D | null | undefined;
/** Advance of a string in a sans-serif font: proportions for placing highlights inside a text item. */
function measureText(s: string): number {
  if (measureCtx === undefined) {
    measureCtx = document.createElement('canvas').getContext('2d');
    if (measureCtx) measureCtx.font = '100px sans-serif';
  }
  return measureCtx ? measureCtx.measureText(s).width : 0;
}

function PageCanvas({
  doc,
  n,
  scale,
  pageText,
  hits,
  currentHit,
}: {
  doc: PDFDocumentProxy;
  n: number;
  scale: number;
  pageText: (n: number) => Promise<TextPiece[]>;
  hits: { h: SearchHit; i: number }[];
  currentHit: number;
}) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [geom, setGeom] = useState<Geom | null>(null);
  const [rendered, setRendered] = useState('');
  const [items, setItems] = useState<{ n: number; items: TextPiece[] } | null>(null);

  useEffect(() => {
    let alive = true;
    let cancel: (() => void) | null = null;
    void (async () => {
      const pg = await doc.getPage(n);
      if (!alive) return;
      const dpr = window.devicePixelRatio || 1;
      const vp = pg.getViewport({ scale });
      // Render off-screen, then copy: the visible page never flashes blank between zoom steps.
      const off = document.createElement('canvas');
      off.width = Math.max(1, Math.floor(vp.width * dpr));
      off.height = Math.max(1, Math.floor(vp.height * dpr));
      const task = pg.render({ canvas: off, viewport: pg.getViewport({ scale: scale * dpr }) });
      cancel = () => task.cancel();
      await task.promise;
      const canvas = canvasRef.current;
      if (!alive || !canvas) return;
      canvas.width = off.width;
      canvas.height = off.height;
      canvas.style.width = `${vp.width}px`;
      canvas.style.height = `${vp.height}px`;
      canvas.getContext('2d')?.drawImage(off, 0, 0);
      setGeom({ width: vp.width, height: vp.height, transform: vp.transform });
      setRendered(`${n}@${scale.toFixed(3)}`);
    })().catch(() => undefined); // cancelled by a newer render; a broken page stays blank
    return () => {
      alive = false;
      cancel?.();
    };
  }, [doc, n, scale]);

  useEffect(() => {
    if (!hits.length) return;
    let alive = true;
    void pageText(n).then((it) => alive && setItems({ n, items: it }));
    return () => {
      alive = false;
    };
  }, [hits.length, n, pageText]);

  const boxes =
    geom && items && items.n === n
      ? hits.flatMap(({ h, i }) =>
          h.parts.flatMap((p, k) => {
            const item = items.items[p.item];
            return item ? [{ key: `${i}-${k}`, current: i === currentHit, rect: pieceRect(item, p.start, p.end, geom.transform, measureText) }] : [];
          }),
        )
      : [];

  const currentRef = useRef<HTMLDivElement>(null);
  const currentKey = boxes.find((b) => b.current)?.key;
  useEffect(() => {
    const el = currentRef.current;
    scrollWithin(el?.closest<HTMLElement>('[data-viewer-scroll]') ?? null, el, 'center');
  }, [currentKey, rendered]);

  return (
    <div style={{ position: 'relative', boxShadow: '0 2px 12px rgba(0,0,0,.4)', background: '#fff', lineHeight: 0 }}>
      <canvas ref={canvasRef} data-testid="pdf-canvas" data-page={n} data-rendered={rendered} aria-label={t('viewers.pdf.thumbnail', { page: n })} />
      {boxes.map((b) => (
        <div
          key={b.key}
          ref={b.current ? currentRef : undefined}
          data-testid="pdf-highlight"
          data-current={String(b.current)}
          style={{
            position: 'absolute',
            left: b.rect.left - 1,
            top: b.rect.top - 1,
            width: b.rect.width + 2,
            height: b.rect.height + 2,
            background: b.current ? 'rgba(255, 120, 0, 0.45)' : 'rgba(255, 220, 0, 0.4)',
            outline: b.current ? '2px solid rgba(230, 90, 0, 0.9)' : 'none',
            mixBlendMode: 'multiply',
            pointerEvents: 'none',
          }}
        />
      ))}
    </div>
  );
}

// Thumbnails render one after another (not all at once): a long document stays responsive.
let thumbQueue: Promise<void> = Promise.resolve();

function Thumbnail({ doc, n, active, onOpen, scroller }: { doc: PDFDocumentProxy; n: number; active: boolean; onOpen: (n: number) => void; scroller: RefObject<HTMLDivElement | null> }) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const [done, setDone] = useState(false);

  useEffect(() => {
    let alive = true;
    thumbQueue = thumbQueue.then(async () => {
      const canvas = canvasRef.current;
      if (!alive || !canvas) return;
      const pg = await doc.getPage(n);
      const base = pg.getViewport({ scale: 1 });
      const dpr = window.devicePixelRatio || 1;
      const vp = pg.getViewport({ scale: (THUMB_WIDTH / base.width) * dpr });
      canvas.width = Math.max(1, Math.floor(vp.width));
      canvas.height = Math.max(1, Math.floor(vp.height));
      canvas.style.width = `${THUMB_WIDTH}px`;
      canvas.style.height = `${Math.round(vp.height / dpr)}px`;
      await pg.render({ canvas, viewport: vp }).promise;
      if (alive) setDone(true);
    }).catch(() => undefined);
    return () => {
      alive = false;
    };
  }, [doc, n]);

  useEffect(() => {
    if (active) scrollWithin(scroller.current, buttonRef.current, 'nearest');
  }, [active, scroller]);

  return (
    <UnstyledButton
      ref={buttonRef}
      onClick={() => onOpen(n)}
      aria-label={t('viewers.pdf.thumbnail', { page: n })}
      aria-current={active ? 'page' : undefined}
      data-testid="pdf-thumbnail"
      data-page={n}
      data-rendered={String(done)}
      style={{ display: 'block', textAlign: 'center' }}
    >
      <div
        style={{
          outline: active ? '3px solid var(--mantine-color-blue-6)' : '1px solid var(--mantine-color-gray-4)',
          background: '#fff',
          lineHeight: 0,
          minHeight: 40,
        }}
      >
        <canvas ref={canvasRef} />
      </div>
      <Text size="xs" mt={4} fw={active ? 700 : 400}>
        {n}
      </Text>
    </UnstyledButton>
  );
}
