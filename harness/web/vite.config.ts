// The browser page (index.html: verify; demo.html: demo), built by Vite from the library's
// TypeScript sources. `vite --config harness/web/vite.config.ts` serves it (npm run demo);
// `vite build --config harness/web/vite.config.ts` writes a static site to harness/web/dist with
// the oracles' wasm (LiteRT.js, tfjs-tflite) and the model corpus copied in. The Node driver builds it in mode
// DRIVER_MODE (no copies: its own server serves those files).
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { assetBytes, assetMiddleware, buildAssets, corpusServedModels, DRIVER_MODE } from '../browser/assets.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const ORACLE_MODULE = /[\\/]harness[\\/]oracle[\\/][^\\/]+\.ts$/;

function tfliteWebgpuPage(copyAssets: boolean): Plugin {
  const corpus = () => buildAssets(corpusServedModels()).table;
  return {
    name: 'tflite-webgpu-page',
    enforce: 'pre',
    // The Node oracle (run_oracle.ts, litert.ts, tfjs_tflite.ts) loads its wasm through
    // emscripten.ts (node:fs, node:vm); in the page it gets the browser twin instead.
    resolveId(source, importer) {
      if (source === './emscripten.js' && importer && ORACLE_MODULE.test(importer)) return `${here}emscripten_browser.ts`;
      return null;
    },
    configureServer(server) {
      server.middlewares.use(assetMiddleware(corpus));
    },
    configurePreviewServer(server) {
      server.middlewares.use(assetMiddleware(corpus));
    },
    generateBundle() {
      if (!copyAssets) return;
      for (const [fileName, asset] of corpus()) this.emitFile({ type: 'asset', fileName, source: assetBytes(asset) });
    },
  };
}

export default defineConfig(({ mode }) => ({
  root: here,
  base: './',
  publicDir: false,
  clearScreen: false,
  plugins: [tfliteWebgpuPage(mode !== DRIVER_MODE)],
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173 },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 4096,
    rolldownOptions: { input: { index: `${here}index.html`, demo: `${here}demo.html` } },
  },
}));
