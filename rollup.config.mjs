import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import { websocketOnly } from './scripts/rollup-websocket-only.mjs';

/** `/parley.js`: lit, socket.io-client, the SDK and every element in one minified ES module. */
export default {
  input: 'packages/elements/dist/parley.js',
  output: {
    file: 'packages/elements/bundle/parley.js',
    format: 'es',
    sourcemap: true,
  },
  plugins: [
    websocketOnly(),
    nodeResolve({ browser: true }),
    terser({ ecma: 2022, module: true, format: { comments: false } }),
  ],
};
