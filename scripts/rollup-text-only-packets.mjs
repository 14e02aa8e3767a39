import { fileURLToPath, pathToFileURL } from 'node:url';

const PREFIX = '\0text-only-packets:';

/** Stands in for helpers that only binary packets reach: /parley.js never sends one, nor does the server. */
const unsupported = (...names) =>
  [
    "const unsupported = () => { throw new Error('/parley.js sends and receives text Socket.IO packets only'); };",
    `export { ${names.map((name) => `unsupported as ${name}`).join(', ')} };`,
  ].join('\n');

/** Each replaced module, by the end of its resolved path, and the code that stands in for it. */
const replacements = {
  // Walks each outgoing packet for ArrayBuffers, Blobs and typed arrays: there are none.
  '/socket.io-parser/build/esm/is-binary.js': 'export const isBinary = () => false;\nexport const hasBinary = () => false;\n',
  // Splits binary packets into placeholders and attachments, and puts them back together.
  '/socket.io-parser/build/esm/binary.js': unsupported('deconstructPacket', 'reconstructPacket'),
  // Base64 for binary packets on transports without binary frames (long-polling); WebSocket has binary frames.
  '/engine.io-parser/build/esm/contrib/base64-arraybuffer.js': unsupported('encode', 'decode'),
};

/**
 * Neither the SDK (packages/sdk/src/signal-client.ts) nor the server ever puts an ArrayBuffer, Blob or typed array
 * in a Socket.IO packet: every payload is JSON. Yet socket.io-parser walks each outgoing packet looking for binary
 * parts and carries the code that splits and reassembles binary packets, and engine.io-parser carries a base64
 * codec for them. In /parley.js the binary checks answer "no", so every packet goes out as text, as it already
 * does, and the binary helpers are replaced by one that throws. A binary packet arriving anyway is refused:
 * socket.io-parser throws on it, which socket.io-client treats as a parse error (it closes the connection), and a
 * base64 one (long-polling only) throws where it is read. The libraries' own code is untouched.
 */
export function textOnlyPackets() {
  return {
    name: 'text-only-packets',
    resolveId(source, importer) {
      if (!importer || !/\/(socket|engine)\.io-parser\/build\/esm\//.test(importer.replaceAll('\\', '/'))) return null;
      const target = fileURLToPath(new URL(source, pathToFileURL(importer))).replaceAll('\\', '/');
      const replaced = Object.keys(replacements).find((suffix) => target.endsWith(suffix));
      return replaced ? PREFIX + replaced : null;
    },
    load(id) {
      return id.startsWith(PREFIX) ? replacements[id.slice(PREFIX.length)] : null;
    },
  };
}
