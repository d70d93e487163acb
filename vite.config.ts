import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

/**
 * The renderer build. The desktop UI is loaded from disk by Electron (file://) or served by the
 * browser-mode host, so paths are relative (`base: './'`) and everything is bundled: no CDN, no
 * web fonts, nothing fetched from third-party hosts (DOMAIN.md: no personal data to third parties).
 *
 * Entries: `renderer/index.html` is the desktop app; `renderer/portal/index.html` is the patient
 * portal (shares `renderer/common/`), served by the central API at its root from
 * dist/renderer/portal/ with the chunks it reaches in dist/renderer/assets/ (server/http/portal-static.ts).
 */
const root = fileURLToPath(new URL('./renderer', import.meta.url));

const ENTRIES = {
  desktop: resolve(root, 'index.html'),
  portal: resolve(root, 'portal/index.html'),
};

/**
 * `vite` (dev server) only: React Fast Refresh injects an inline preamble script and HMR talks
 * over its own socket, both refused by the strict CSP in index.html. The built files keep the
 * strict policy; only the dev server's copy of the page is relaxed.
 */
function devCsp(): Plugin {
  return {
    name: 'oblako-dev-csp',
    apply: 'serve',
    transformIndexHtml: (html) =>
      html
        .replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
        .replace("connect-src 'self'", "connect-src 'self' ws://localhost:* ws://127.0.0.1:*"),
  };
}

/** In dev, `OBLAKO_HOST=http://127.0.0.1:<port>` forwards /rpc to a running browser-mode host. */
const host = process.env.OBLAKO_HOST;

export default defineConfig({
  root,
  base: './',
  plugins: [react(), devCsp()],
  resolve: {
    // simple-peer's package entry wants Node's streams and Buffer; its own browser bundle carries
    // them (no eval, no network), so the call code imports that.
    alias: { 'simple-peer': fileURLToPath(new URL('./node_modules/simple-peer/simplepeer.min.js', import.meta.url)) },
  },
  // The renderer has no public/ folder of its own; keep Vite from picking one up elsewhere.
  publicDir: false,
  build: {
    outDir: fileURLToPath(new URL('./dist/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'chrome120',
    sourcemap: true,
    // Vite would inline small assets as data: URLs; the CSP allows data: for images only.
    assetsInlineLimit: 0,
    reportCompressedSize: true,
    chunkSizeWarningLimit: 1500,
    rollupOptions: { input: ENTRIES },
  },
  server: {
    host: '127.0.0.1',
    ...(host ? { proxy: { '^/rpc(\\?.*)?$': { target: host, ws: true } } } : {}),
  },
});
