import { fileURLToPath, pathToFileURL } from 'node:url';

const TABLE = '\0engine.io-websocket-only';
const UNUSED = '\0engine.io-unused-transport';

/** engine.io-client's transports that a browser speaking WebSocket alone never uses. */
const unusedTransport = /\/transports\/(polling|polling-xhr|polling-xhr\.node|polling-fetch|webtransport)\.js$/;

/**
 * The SDK connects with WebSocket only (packages/sdk/src/signal-client.ts), but engine.io-client's transport table
 * and its package index (re-exported by socket.io-client) also pull in long-polling, fetch and WebTransport, whose
 * module-level feature checks keep them in the bundle. In /parley.js the table holds WebSocket alone and those
 * modules are replaced by one whose exports are all undefined, so nothing reaches them. The library's own code is
 * untouched.
 */
export function websocketOnly() {
  let websocketModule = '';
  return {
    name: 'engine.io-websocket-only',
    resolveId(source, importer) {
      if (!importer?.replaceAll('\\', '/').includes('/engine.io-client/build/esm/')) return null;
      const target = fileURLToPath(new URL(source, pathToFileURL(importer)));
      if (target.replaceAll('\\', '/').endsWith('/transports/index.js')) {
        websocketModule = target.replace(/index\.js$/, 'websocket.js');
        return TABLE;
      }
      return unusedTransport.test(target.replaceAll('\\', '/')) ? UNUSED : null;
    },
    load(id) {
      if (id === TABLE) return `import { WS } from ${JSON.stringify(websocketModule)};\nexport const transports = { websocket: WS };\n`;
      if (id === UNUSED) {
        return ['Polling', 'BaseXHR', 'Request', 'XHR', 'Fetch', 'WT'].map((name) => `export const ${name} = undefined;`).join('\n');
      }
      return null;
    },
  };
}
