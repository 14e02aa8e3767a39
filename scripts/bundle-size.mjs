// Sizes of what browsers download, and the budgets they must stay within. The build fails past a budget;
// `npm run bench` prints the same figures.
import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import { rollup } from 'rollup';

const root = new URL('..', import.meta.url).pathname;

export const BUDGETS = {
  /**
   * `/parley.js`: lit, socket.io-client, the SDK and what a meeting shows first: `<meeting-room>` and its prejoin
   * screen. The chunks beside it are fetched after joining, on first use or once idle: the in-call elements (grid,
   * tiles, controls: fetched as the prejoin screen shows, awaited before the call renders), side panels, notices, the
   * confirmation dialog, the speaking/quality monitor, translations. Issue 12's first-contact UI and issue 13's
   * media-path repairs had taken it to 44.5 KB; issue 14 moved the in-call elements into their chunk.
   */
  'parley.js': 40 * 1024,
  /**
   * The SDK alone, minified, without socket.io-client (which sites may already ship), all its chunks together but
   * the SFU transport's.
   * 12 KB until issue 13 made the media path heal itself: glare-free ICE restarts with path checks and a keyframe on
   * return, `repairVideo` (renewing a peer connection whose picture the browser decodes but no longer presents) with
   * the fingerprints that keep a renewed connection from stale answers, and resumes retried while storage is away.
   * 12.6 KB until issue 14 put the media path behind `MediaTransport` (the seam, its events and context, about 500 B;
   * the restructure's trims won back about 250) and made the preview, `setVideoWanted`, `logger` and
   * `SignalClient.on` public. Issue 14 asked for 12 KB: not reached (see docs/performance.md for what could go).
   * 12.9 KB until issue 15's SFU mode: choosing the transport by the meeting's media path, loading the SFU one on
   * demand, following `media-path`, and the audio-level helper both transports share cost about 260 B (the SFU
   * transport itself is the chunk measured below). 13.1 KB until a lost device that reads as busy is asked for once
   * more (47 B): revoking one permission made the other device read as busy for a moment, and the SDK gave it up.
   * 13.2 KB until a device granted while its permission was being revoked is let go (164 B): Chromium can hand out
   * such a track and never end it, so a revoked microphone stayed on. 13.4 KB until issue 15's `MEDIA_MODE=auto`
   * (371 B): a call under way moves between the mesh and the SFU make-before-break, the new transport up beside the
   * old one (the switch's bookkeeping, `TransportSwitch`, lives in the SFU chunk, loaded for any switch anyway).
   * 13.7 KB until issue 16's raised hands (276 B): `raiseHand`, `lowerHand`, `lowerAllHands`, `raisedHands` (in
   * snapshots too), the `hands-changed` event and each participant's `handRaised`, kept from join and resume answers
   * (215 B), and the `lowerHandAfterSpeakingMs` option (61 B); and its reactions (296 B): `Room.react` with its
   * throttle (the token bucket the server uses too, so a held key never reaches the server's limit), the `reaction`
   * events of room and participant. 14.25 KB until the mesh transport became a chunk (its loader, 35 B).
   * 14.3 KB until issue 16's noise suppression (263 B): `setNoiseSuppression()`, which fetches its chunk (below), and
   * the microphone's track kept under the processed one it sends (device switches, a lost device, mute, leave).
   * 14.6 KB until issue 16's background effects (about 340 B): `LocalParticipant.setVideoEffect`, the raw camera
   * kept beside the processed track it sends, track changes queued so an effect's start is never overtaken, and the
   * `background-unavailable` code (the segmentation itself is an elements chunk).
   * 15 KB until issue 16's local recording (210 B): `meetingInfo` (what the prejoin screen tells before joining),
   * `recording` (in snapshots too), `setRecording`, `allowRecording` and `recording-changed` (the recorder itself is
   * an elements chunk).
   */
  '@parley/sdk': 15.2 * 1024,
  /**
   * The SDK's SFU mode (issue 15): `SfuTransport`, its subscription bookkeeping and the Janus client, a chunk fetched
   * only by rooms whose meeting is on a media server, so neither of the above carries it. 6 KB until the Janus client
   * read the answers already received before giving a request up: a server too busy to run took Janus for hung;
   * 6.2 KB until a connection to Janus whose ICE came up without its DTLS was made afresh.
   */
  '@parley/sdk sfu chunk': 6.5 * 1024,
  /**
   * The SDK's noise suppression (issue 16): the chunk `setNoiseSuppression(true)` fetches (the AudioContext, the
   * worklet node, swapping the microphone under the processed track), and the AudioWorklet module it loads beside it
   * (`/rnnoise/rnnoise-worklet.js`, RNNoise's frames over the wasm). RNNoise's wasm itself (`rnnoise.wasm`, about
   * 110 KB) is measured apart: it is a dependency's file, not code of ours.
   */
  '@parley/sdk noise chunk': 1.5 * 1024,
};

/** Gzipped (level 9) and raw sizes in bytes of each budgeted artefact. */
export async function measureBundles() {
  const parley = readFileSync(`${root}packages/elements/bundle/parley.js`);
  const sdk = await rollup({
    input: `${root}packages/sdk/dist/index.js`,
    external: ['socket.io-client'],
    plugins: [nodeResolve({ browser: true }), terser({ ecma: 2022, module: true, format: { comments: false } })],
  });
  const { output } = await sdk.generate({ format: 'es' });
  await sdk.close();
  const chunks = output.filter((chunk) => chunk.type === 'chunk');
  const isSfu = (chunk) => /\/sfu\/sfu-transport\.js$/.test(chunk.facadeModuleId ?? '');
  const isNoise = (chunk) => /\/noise\/rnnoise-filter\.js$/.test(chunk.facadeModuleId ?? '');
  // Every chunk of it, the lazily loaded monitor included; the SFU mode's and noise suppression's apart.
  const sdkCode = Buffer.from(chunks.filter((chunk) => !isSfu(chunk) && !isNoise(chunk)).map((chunk) => chunk.code).join('\n'));
  const sfuCode = Buffer.from(chunks.filter(isSfu).map((chunk) => chunk.code).join('\n'));
  const worklet = readFileSync(`${root}packages/elements/bundle/rnnoise-worklet.js`, 'utf8');
  const noiseCode = Buffer.from([...chunks.filter(isNoise).map((chunk) => chunk.code), worklet].join('\n'));
  const sizes = (code) => ({ raw: code.length, gzip: gzipSync(code, { level: 9 }).length });
  return {
    'parley.js': sizes(parley),
    '@parley/sdk': sizes(sdkCode),
    '@parley/sdk sfu chunk': sizes(sfuCode),
    '@parley/sdk noise chunk': sizes(noiseCode),
  };
}

/** Each file of the browser bundle (`parley.js` and the chunks it loads later), gzipped, largest first. */
export function measureChunks() {
  const dir = `${root}packages/elements/bundle/`;
  return readdirSync(dir)
    .filter((file) => file.endsWith('.js'))
    .map((file) => {
      const code = readFileSync(dir + file);
      // Hashes change with every edit; the name is what a reader looks up.
      return { chunk: file.replace(/-[\w-]{8}\.js$/, '.js'), raw: code.length, gzip: gzipSync(code, { level: 9 }).length };
    })
    .sort((a, b) => b.gzip - a.gzip);
}

/** Throws when an artefact is over its budget. */
export async function checkBudgets() {
  const sizes = await measureBundles();
  const over = Object.entries(sizes).filter(([name, size]) => size.gzip > BUDGETS[name]);
  if (over.length > 0) {
    const lines = over.map(([name, size]) => `${name}: ${size.gzip} B gzipped, budget ${BUDGETS[name]} B`);
    throw new Error(`Bundle over budget:\n  ${lines.join('\n  ')}`);
  }
  return sizes;
}
