import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Served by the gateway at `/`; assets under /assets/ (see crates/soi-server/src/web.rs).
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // No inline <script> or data: modules, so the page runs under a CSP
    // without 'unsafe-inline'.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: 'es2022',
    reportCompressedSize: true,
    // One bundle for the first view (ECharts, the map and the app, ~205 KB gzipped; the
    // goal is 250 KB): splitting it would only add requests.
    chunkSizeWarningLimit: 900,
    rollupOptions: {
      onwarn(warning, warn) {
        // GraphiQL's React parts carry "use client" for server frameworks; meaningless here.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
