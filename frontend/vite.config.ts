/// <reference types="vitest/config" />
import { defineConfig } from 'vite'

// Vite 8 compiles TypeScript and JSX with Oxc (the `oxc` option replaced
// `esbuild`), so the Preact JSX runtime is configured here.
//
// The built site is embedded into the `lectern` binary by its build script,
// which runs `vite build` with --outDir pointing into Cargo's OUT_DIR.
export default defineConfig({
  oxc: {
    jsx: { runtime: 'automatic', importSource: 'preact' },
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:8080',
      '/ws': { target: 'ws://127.0.0.1:8080', ws: true },
    },
  },
  test: { environment: 'node' },
})
