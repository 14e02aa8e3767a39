// How every browser test launches Chromium: the e2e tests (test/e2e/support/browser.ts) and the unit tests
// (web-test-runner.config.mjs) share these, so both run the same browser the same way.

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
