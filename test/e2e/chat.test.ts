import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChatMessage } from '@parley/sdk';
import { MeetingPage } from './support/meeting-page.js';
import { createMeeting } from './support/servers.js';
import { useCallHarness } from './support/harness.js';

const harness = useCallHarness();

function chatOf(page: MeetingPage): Promise<ChatMessage[]> {
  return page.page.evaluate(() => [...document.querySelector('meeting-room')!.room!.chatMessages]);
}

async function waitForChat(page: MeetingPage, count: number): Promise<ChatMessage[]> {
  await page.page.waitForFunction((n) => document.querySelector('meeting-room')!.room!.chatMessages.length >= n, count, {
    timeout: 10_000,
  });
  return chatOf(page);
}

test('chat goes peer to peer, is queued until a channel opens, and never passes the server', async () => {
  // Everything the server receives from any socket, to prove the text never reaches it.
  const seenByServer: string[] = [];
  harness.parley.io.on('connection', (socket) => socket.onAny((...args: unknown[]) => seenByServer.push(JSON.stringify(args))));

  const meeting = await createMeeting(harness.parley.url);
  const ada = await MeetingPage.open(harness.browser, harness.embedder.url, meeting, 'Ada');
  const bob = await MeetingPage.open(harness.browser, harness.embedder.url, meeting, 'Bob');

  const sent = await ada.page.evaluate(() => document.querySelector('meeting-room')!.room!.sendChatMessage('  Hello, Bob!  '));
  assert.equal(sent.text, 'Hello, Bob!');
  assert.equal(sent.senderId, ada.participantId);
  const [received] = await waitForChat(bob, 1);
  assert.deepEqual(received, { ...sent, senderName: 'Ada' });

  // Ada greets Carol the instant she hears of her: no data channel to Carol can be open yet.
  await ada.page.evaluate(() => {
    const room = document.querySelector('meeting-room')!.room!;
    room.once('participant-joined', (participant) => {
      const channelsOpen = room.participants.size;
      room.sendChatMessage(`Welcome, ${participant.name}! (${channelsOpen} participants)`);
    });
  });
  const carol = await MeetingPage.open(harness.browser, harness.embedder.url, meeting, 'Carol');
  const carolChat = await waitForChat(carol, 1);
  assert.equal(carolChat[0]!.text, 'Welcome, Carol! (2 participants)');
  assert.equal(carolChat[0]!.senderId, ada.participantId);

  // Bob answers everyone; ordering and sender names hold on each side.
  await bob.page.evaluate(() => document.querySelector('meeting-room')!.room!.sendChatMessage('Hi all'));
  const adaChat = await waitForChat(ada, 3);
  assert.deepEqual(
    adaChat.map((message) => [message.senderName, message.text]),
    [
      ['Ada', 'Hello, Bob!'],
      ['Ada', 'Welcome, Carol! (2 participants)'],
      ['Bob', 'Hi all'],
    ],
  );
  const carolSeesBob = (await waitForChat(carol, 2))[1]!;
  assert.deepEqual([carolSeesBob.senderName, carolSeesBob.text], ['Bob', 'Hi all']);

  // Bad input is refused with a typed error, and nothing is sent.
  const refused = await ada.page.evaluate(() => {
    try {
      document.querySelector('meeting-room')!.room!.sendChatMessage('   ');
      return null;
    } catch (error) {
      return (error as { code?: string }).code;
    }
  });
  assert.equal(refused, 'invalid-request');

  assert.ok(seenByServer.length > 0, 'the spy saw the signaling traffic');
  assert.ok(!seenByServer.some((event) => /Hello, Bob|Welcome, Carol|Hi all/.test(event)), 'chat text reached the server');
  await Promise.all([ada, bob, carol].map((page) => page.close()));
});

test('the chat panel: unread count while closed, messages shown once opened', async () => {
  const meeting = await createMeeting(harness.parley.url);
  const ada = await MeetingPage.open(harness.browser, harness.embedder.url, meeting, 'Ada');
  const bob = await MeetingPage.open(harness.browser, harness.embedder.url, meeting, 'Bob');
  const controls = (page: MeetingPage) =>
    page.page.evaluateHandle(
      () => document.querySelector('meeting-room')!.shadowRoot!.querySelector('meeting-controls')!.shadowRoot!,
    );
  await ada.page.evaluate(() => {
    const room = document.querySelector('meeting-room')!.room!;
    room.sendChatMessage('One');
    room.sendChatMessage('Two <b>not bold</b>');
  });
  await bob.page.waitForFunction(
    () =>
      document
        .querySelector('meeting-room')!
        .shadowRoot!.querySelector('meeting-controls')!
        .shadowRoot!.querySelector('[part~="unread"]')?.textContent === '2',
    null,
    { timeout: 10_000 },
  );
  await (await controls(bob)).evaluate((root) => root.querySelector<HTMLButtonElement>('[part~="chat"]')!.click());
  await bob.page.waitForFunction(() => {
    const panel = document.querySelector('meeting-room')!.shadowRoot!.querySelector('chat-panel');
    const texts = [...(panel?.shadowRoot?.querySelectorAll('[part~="text"]') ?? [])].map((node) => node.textContent);
    return texts.join('|') === 'One|Two <b>not bold</b>';
  });
  const unread = await (await controls(bob)).evaluate((root) => root.querySelector('[part~="unread"]'));
  assert.equal(unread, null, 'opening the chat clears the count');
  await Promise.all([ada, bob].map((page) => page.close()));
});
