import { existsSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium: never a downloaded browser. Override with CHROMIUM_PATH. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags for a headless Chromium with a fake camera and microphone and no traffic beyond what the page makes. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-gpu',
  '--disable-quic',
  // Gather 127.0.0.1 host candidates (Chromium skips loopback by default). In the loopback-only network namespace
  // of scripts/loopback-netns.sh they are the only candidates, so media between pages flows over loopback.
  '--allow-loopback-in-peer-connection',
  // A page without camera/microphone permission hides its host candidates behind mDNS names, which nothing resolves
  // in the loopback-only namespace (no multicast, no STUN): show the plain addresses, as a STUN server would.
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  // Several pages share two cores: keep background tabs' timers and renderers at full speed.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

/**
 * Addresses outside loopback that this process — and so the browser it launches — can use. Chromium gathers an ICE
 * host candidate on each and prefers them to loopback: media between pages would flow over them.
 */
export function nonLoopbackAddresses(): string[] {
  return Object.entries(networkInterfaces()).flatMap(([name, addresses]) =>
    (addresses ?? []).filter((address) => !address.internal).map((address) => `${name} ${address.address}`),
  );
}

/**
 * Our tests send traffic to loopback only: refuse to launch where WebRTC could pick another interface. Run through
 * `sh scripts/loopback-netns.sh …` (as `npm run test:e2e` and `npm run bench` do): a network namespace with `lo` only.
 */
export function assertLoopbackOnly(): void {
  const outside = nonLoopbackAddresses();
  if (outside.length === 0 || process.env.PARLEY_E2E_ALLOW_HOST_NETWORK === '1') return;
  throw new Error(
    `Chromium would send WebRTC media over ${outside.join(', ')}, not loopback. Run the tests in a loopback-only ` +
      `network namespace: sh scripts/loopback-netns.sh <command> (npm run test:e2e does). ` +
      `To run on the host network anyway, set PARLEY_E2E_ALLOW_HOST_NETWORK=1.`,
  );
}

export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`No Chromium at ${CHROMIUM_PATH}: install it (apt-get install chromium) or set CHROMIUM_PATH`);
  }
  assertLoopbackOnly();
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}
