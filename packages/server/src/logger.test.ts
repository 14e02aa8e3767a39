import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { test } from 'node:test';
import { generate } from 'selfsigned';
import { connect, createMeeting, join, nextEvent, startTestServer, tryJoin } from '../test/support/helpers.js';

test('logs tell joins, leaves and refusals with their reason, and never SDP, candidates, tokens or keys', async () => {
  const lines: string[] = [];
  const server = await startTestServer(
    { LOG_LEVEL: 'trace', TURN_URLS: 'turn:127.0.0.1:3478', TURN_SECRET: 'turn-secret-do-not-log', RESUME_WINDOW_MS: '2000' },
    { logDestination: { write: (line: string) => void lines.push(line) } },
  );
  const secrets: string[] = ['turn-secret-do-not-log'];
  try {
    const meeting = await createMeeting(server);
    secrets.push(meeting.hostKey);
    const [ada, bob] = [await connect(server), await connect(server)];
    const adaJoined = await join(ada, meeting.code, 'Ada', meeting.hostKey);
    const bobJoined = await join(bob, meeting.code, 'Bob');
    secrets.push(adaJoined.resumeToken, bobJoined.resumeToken);
    for (const server of [...adaJoined.iceServers, ...bobJoined.iceServers]) if (server.credential) secrets.push(server.credential);

    const offerSdp = 'v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\na=ice-pwd:offer-password-do-not-log\r\n';
    const answerSdp = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\na=ice-pwd:answer-password-do-not-log\r\n';
    const candidate = 'candidate:842163049 1 udp 1677729535 198.51.100.7 46154 typ srflx raddr 10.0.0.7 rport 46154';
    secrets.push('offer-password-do-not-log', 'answer-password-do-not-log', '198.51.100.7', '10.0.0.7');
    const relayed = nextEvent(bob, 'ice-candidate');
    await ada.emitWithAck('offer', { to: bobJoined.self.id, sdp: offerSdp });
    await bob.emitWithAck('answer', { to: adaJoined.self.id, sdp: answerSdp });
    await ada.emitWithAck('ice-candidate', { to: bobJoined.self.id, candidate: { candidate, sdpMid: '0', sdpMLineIndex: 0 } });
    await relayed;
    // Refused requests that carry secrets: an oversized SDP, a relay to nobody, a resume of nothing.
    await ada.emitWithAck('offer', { to: bobJoined.self.id, sdp: `${offerSdp}${'x'.repeat(16 * 1024)}` });
    await ada.emitWithAck('offer', { to: 'nobody', sdp: offerSdp });
    await (await connect(server)).emitWithAck('resume-meeting', { resumeToken: 'resume-token-guess-do-not-log' });
    secrets.push('resume-token-guess-do-not-log');
    const wrongCode = 'zzzz-zzzz-zzzz';
    assert.equal(await tryJoin(await connect(server), wrongCode), 'meeting-not-found');

    ada.io.engine.close(); // away, then back with the token
    const adaAgain = await connect(server);
    assert.ok((await adaAgain.emitWithAck('resume-meeting', { resumeToken: adaJoined.resumeToken })).ok);
    await bob.emitWithAck('leave-meeting');
    adaAgain.disconnect();
    await new Promise((resolve) => setTimeout(resolve, 100));
  } finally {
    await server.close();
  }

  const log = lines.join('');
  const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  const messages = entries.map((entry) => entry.msg);
  for (const message of ['meeting created', 'joined', 'away', 'resumed', 'left', 'request refused', 'join refused: no joinable meeting with that code']) {
    assert.ok(messages.includes(message), `"${message}" is logged: ${JSON.stringify(messages)}`);
  }
  const refusedCodes = entries.filter((entry) => entry.msg === 'request refused').map((entry) => entry.code);
  for (const code of ['invalid-payload', 'participant-not-found', 'resume-rejected', 'meeting-not-found']) {
    assert.ok(refusedCodes.includes(code), `refusal ${code} logged with its reason: ${JSON.stringify(refusedCodes)}`);
  }
  assert.ok(entries.some((entry) => entry.msg === 'left' && entry.reason === 'left'));
  for (const secret of secrets) assert.ok(!log.includes(secret), `the log holds a secret: ${secret}`);
  assert.ok(!/v=0|a=ice-pwd|candidate:/.test(log), 'no SDP or candidate text in the log');
  assert.ok(!log.includes('zzzz-zzzz-zzzz'), 'codes people typed are not logged');
});

test('LOG_FORMAT=text: plain lines, the start-up one says where to open Parley; with TLS the warning leaves out HTTPS', async () => {
  const dir = mkdtempSync(joinPath(tmpdir(), 'parley-log-'));
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], { keyType: 'ec' });
  writeFileSync(joinPath(dir, 'cert.pem'), pems.cert);
  writeFileSync(joinPath(dir, 'key.pem'), pems.private);
  const lines: string[] = [];
  const server = await startTestServer(
    { LOG_LEVEL: 'info', LOG_FORMAT: 'text', TLS_CERT: joinPath(dir, 'cert.pem'), TLS_KEY: joinPath(dir, 'key.pem') },
    { logDestination: { write: (line: string) => void lines.push(line) } },
  );
  try {
    assert.deepEqual(lines, [
      'Warning: ICE_SERVERS is not set, so calls connect only between machines that can reach each other directly, ' +
        'such as two computers on the same network. For calls between networks, set ICE_SERVERS to a STUN server, ' +
        'and TURN_URLS and TURN_SECRET for people behind strict firewalls.\n',
      `Parley is running: open ${server.url} in a browser.\n`,
    ]);
    assert.match(server.url, /^https:/);
    server.logger.info({ meeting: 'abcd-efgh-jkmn', participants: 2 }, 'meeting ended');
    assert.equal(lines.at(-1), 'meeting ended (meeting=abcd-efgh-jkmn, participants=2)\n');
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
