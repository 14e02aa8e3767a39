import { nodeResolve } from '@rollup/plugin-node-resolve';
import minifyHTML from '@lit-labs/rollup-plugin-minify-html-literals';
import terser from '@rollup/plugin-terser';
import { textOnlyPackets } from './scripts/rollup-text-only-packets.mjs';
import { websocketOnly } from './scripts/rollup-websocket-only.mjs';

/**
 * `/parley.js`: lit, socket.io-client, the SDK and what a meeting shows first, in one minified ES module. The other
 * elements are chunks beside it (`parley-<name>-<hash>.js`): the in-call ones (`call-ui`), the side panels and
 * notices, the confirmation dialog, and small ones they share (lit's `repeat`, `EmitterController`). Translations
 * are fetched only by pages that use that language.
 */
export default [{
  input: 'packages/elements/dist/parley.js',
  // Chunks loaded later import what they share with parley.js from parley.js itself, not from a third file.
  preserveEntrySignatures: 'allow-extension',
  output: {
    dir: 'packages/elements/bundle',
    entryFileNames: 'parley.js',
    chunkFileNames: 'parley-[name]-[hash].js',
    format: 'es',
    sourcemap: true,
  },
  plugins: [
    // Whitespace in html`` and css`` literals is most of the elements' weight once gzipped.
    minifyHTML({ failOnError: true }),
    websocketOnly(),
    textOnlyPackets(),
    nodeResolve({ browser: true }),
    // A second compress pass finds what the first one's inlining exposed.
    terser({ ecma: 2022, module: true, compress: { passes: 2 }, format: { comments: false } }),
  ],
},
/**
 * `/rnnoise/rnnoise-worklet.js`: the AudioWorklet module of the SDK's noise suppression, a file of its own because
 * `audioWorklet.addModule()` takes a URL. The server serves it beside `rnnoise.wasm`.
 */
{
  input: 'packages/sdk/dist/noise/rnnoise-worklet.js',
  output: { file: 'packages/elements/bundle/rnnoise-worklet.js', format: 'es' },
  plugins: [terser({ ecma: 2022, module: true, format: { comments: false } })],
}];
