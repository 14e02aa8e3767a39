import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { connect, createMeeting, join, startTestServer } from '../../test/support/helpers.js';

const SECRET = `whsec_${Buffer.alloc(32, 5).toString('base64')}`;
/** The example as docs/self-hosting.md quotes it; it imports `@parley/server/webhooks`, so the build (dist) is used. */
const example = fileURLToPath(new URL('../../../../examples/webhook-receiver/server.js', import.meta.url));

test('examples/webhook-receiver logs each event of a meeting once, and refuses a forged delivery with 400', { timeout: 30_000 }, async () => {
  const receiver = spawn(process.execPath, [example], {
    env: { PATH: process.env.PATH, PARLEY_WEBHOOK_SECRET: SECRET, PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(receiver, 'exit');
  after(async () => {
    receiver.kill();
    await exited;
  });
  let stdout = '';
  receiver.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const until = async (pattern: RegExp) => {
    const deadline = Date.now() + 10_000;
    while (!pattern.test(stdout)) {
      assert.ok(Date.now() < deadline, `the receiver never printed ${pattern}:\n${stdout}`);
      await sleep(20);
    }
    return pattern.exec(stdout)!;
  };
  const url = (await until(/on (http:\S+)/))[1]!;

  const server = await startTestServer({ WEBHOOK_URL: url, WEBHOOK_SECRET: SECRET });
  after(() => server.close());
  const meeting = await createMeeting(server);
  const socket = await connect(server);
  after(() => socket.disconnect());
  await join(socket, meeting.code, 'Ada', meeting.hostKey);
  await until(/participant\.joined/);
  assert.ok((await socket.emitWithAck('leave-meeting')).ok);
  await until(/meeting\.ended/);
  // Deliveries run side by side: they may arrive in any order.
  assert.deepEqual(stdout.trim().split('\n').slice(1).sort(), [
    `meeting.ended ${meeting.code} (empty)`,
    `meeting.started ${meeting.code}`,
    `participant.joined ${meeting.code} Ada`,
    `participant.left ${meeting.code} Ada`,
  ]);

  const body = JSON.stringify({ type: 'meeting.started', timestamp: new Date().toISOString(), data: { code: 'x', session: 'y' } });
  const now = new Date();
  const headers = (secret: string, id: string) => ({
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, now, body),
  });
  const post = (headers: Record<string, string>) => fetch(url, { method: 'POST', headers, body }).then((response) => response.status);
  assert.equal(await post(headers(`whsec_${Buffer.alloc(32, 6).toString('base64')}`, 'msg_forged')), 400);
  // Signed with the secret and sent twice under one id: accepted both times, handled once.
  assert.equal(await post(headers(SECRET, 'msg_twice')), 204);
  assert.equal(await post(headers(SECRET, 'msg_twice')), 204);
  await sleep(100);
  // The whole line: a real meeting's code may begin with an x too.
  assert.equal(stdout.match(/^meeting\.started x$/gm)?.length, 1);
});
