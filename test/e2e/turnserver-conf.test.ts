import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { useCallHarness } from './support/harness.js';
import { MeetingPage } from './support/meeting-page.js';
import { assertRelayedCall } from './support/relay-call.js';
import { createMeeting } from './support/servers.js';
import { SAMPLE_TURN_CONFIG, startTurnServer, type TurnServer } from './support/turn-server.js';

/**
 * docs/turnserver.conf works as written on one machine: the operator's one-box test. The file is taken as it is,
 * with only the edits it tells a one-box tester to make (uncommenting its marked lines); its own port and secret;
 * Parley configured as docs/self-hosting.md says (TURN_URLS + TURN_SECRET). If the file drifts, this fails.
 */
const sample = readFileSync(SAMPLE_TURN_CONFIG, 'utf8');
/** The lines the file says to uncomment: no certificate here, and everything over 127.0.0.1. */
const ONE_BOX_LINES = ['no-tls', 'no-dtls', 'listening-ip=127.0.0.1', 'relay-ip=127.0.0.1', 'allow-loopback-peers'];

function setting(name: string): string {
  const value = sample.match(new RegExp(`^${name}=(.+)$`, 'm'))?.[1];
  assert.ok(value, `docs/turnserver.conf sets ${name}`);
  return value;
}

function oneBoxConfig(): string {
  let text = sample;
  for (const line of ONE_BOX_LINES) {
    const commented = `\n#${line}\n`;
    assert.equal(text.split(commented).length, 2, `docs/turnserver.conf has "#${line}" once, to uncomment for a one-box test`);
    text = text.replace(commented, `\n${line}\n`);
  }
  return text;
}

const port = Number(setting('listening-port'));
const secret = setting('static-auth-secret');
let dir: string;
let turn: TurnServer;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'parley-turnserver-conf-'));
  const configFile = join(dir, 'turnserver.conf');
  writeFileSync(configFile, oneBoxConfig());
  turn = await startTurnServer({ configFile, asWritten: true, port, auth: 'secret', secret, realm: setting('realm') });
});
after(async () => {
  await turn?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});
// The TURN_URLS the file's one-box note gives, and its secret: Parley mints every participant's credentials from it.
const harness = useCallHarness({ env: { TURN_URLS: `turn:127.0.0.1:${port}?transport=udp`, TURN_SECRET: secret } });

test('docs/turnserver.conf, with its one-box lines uncommented, carries a relay-only call between two <meeting-room>s', async () => {
  const { code } = await createMeeting(harness.parley.url);
  const open = (name: string) =>
    MeetingPage.openUrl(harness.browser, `${harness.embedder.url}/?${new URLSearchParams({ code, name, ice: 'relay' })}`, name);
  const [ada, bob] = [await open('Ada'), await open('Bob')];
  await assertRelayedCall(ada, bob);
  await Promise.all([ada.close(), bob.close()]);
});
