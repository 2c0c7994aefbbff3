import { defineConfig } from 'vite'

// The built site is embedded into the `lectern` binary by its build script,
// which runs `vite build` with --outDir pointing into Cargo's OUT_DIR.
export default defineConfig({
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:8080',
      '/ws': { target: 'ws://127.0.0.1:8080', ws: true },
    },
  },
  test: { environment: 'node' },
})
