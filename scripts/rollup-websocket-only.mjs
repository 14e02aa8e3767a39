import { dirname, join } from 'node:path';

const VIRTUAL = '\0engine.io-websocket-only';

/**
 * The SDK connects with WebSocket only (packages/sdk/src/signal-client.ts), but engine.io-client's default transport
 * table also pulls in long-polling and WebTransport. In /parley.js that table is replaced by one holding WebSocket
 * alone; the library's own code is untouched.
 */
export function websocketOnly() {
  let websocketModule = '';
  return {
    name: 'engine.io-websocket-only',
    resolveId(source, importer) {
      if (source !== './transports/index.js' || !importer?.replaceAll('\\', '/').endsWith('engine.io-client/build/esm/socket.js')) {
        return null;
      }
      websocketModule = join(dirname(importer), 'transports/websocket.js');
      return VIRTUAL;
    },
    load(id) {
      if (id !== VIRTUAL) return null;
      return `import { WS } from ${JSON.stringify(websocketModule)};\nexport const transports = { websocket: WS };\n`;
    },
  };
}
