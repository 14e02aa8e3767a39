import { existsSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../chromium.mjs';

export { CHROMIUM_ARGS, CHROMIUM_PATH };

/**
 * Addresses outside loopback that this process — and so the browser it launches — can use. Chromium gathers an ICE
 * host candidate on each and prefers them to loopback: media between pages would flow over them.
 */
function nonLoopbackAddresses(): string[] {
  // 127.0.0.0/8 is loopback on any interface: scripts/loopback-netns.sh puts 127.0.0.2 on a veth (pj0) for Janus.
  return Object.entries(networkInterfaces()).flatMap(([name, addresses]) =>
    (addresses ?? [])
      .filter((address) => !address.internal && !(address.family === 'IPv4' && address.address.startsWith('127.')))
      .map((address) => `${name} ${address.address}`),
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

/** Launches Debian's Chromium with `args` (default: `CHROMIUM_ARGS`), refusing where media could leave loopback. */
export function launchChromium(args: string[] = CHROMIUM_ARGS): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`No Chromium at ${CHROMIUM_PATH}: install it (apt-get install chromium) or set CHROMIUM_PATH`);
  }
  assertLoopbackOnly();
  return chromium.launch({ executablePath: CHROMIUM_PATH, args, headless: true });
}
