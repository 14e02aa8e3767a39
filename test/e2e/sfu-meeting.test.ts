// SFU mode as people see it: four `<meeting-room>` pages (one Chromium, a context each) on a Parley server process
// with MEDIA_MODE=sfu and a Janus of its own. Everyone decodes everyone through Janus; the host's remove, mute and
// end act on Janus too (checked with the VideoRoom's admin key); a screen share, a leave and chat work as in the mesh.
// Four, not six: six pages in one Chromium no longer fit the 2-core test machine (Chromium 156.0.8078.114). Each
// page encodes three camera layers and its audio; with six, the pages' renderers and Chromium's one network process
// starved: video decoded at about 1 fps, the sixth page's subscription sent no ICE check in 60 s, and the pages
// read Janus's answers 15 s late while Janus answered a Node client at once. Six people through Janus are measured,
// not asserted, in `npm run bench:sfu` (docs/performance.md §7).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { Browser, Page } from 'playwright-core';
import type { SfuMediaPath } from '@parley/protocol';
import { assertEveryoneReceivesEveryone, assertTiles } from './support/assertions.js';
import { launchChromium } from './support/browser.js';
import { MeetingPage } from './support/meeting-page.js';
import { waitFor } from './support/processes.js';
import { screenshot } from './support/screenshots.js';
import { createMeeting } from './support/servers.js';
import { startSfuServer, type SfuServer } from './support/sfu-server.js';

/** The text of `<meeting-room>`'s status area (left, ended…). */
function statusText(page: Page): Promise<string | undefined> {
  return page.evaluate(
    () => document.querySelector('meeting-room')!.shadowRoot!.querySelector('[part~="status"] p')?.textContent?.trim(),
  );
}

/** Clicks a button of the host's participants panel (opening it first) by its text, e.g. "Remove Dan". */
async function clickPanelButton(page: Page, name: string): Promise<void> {
  if (!(await page.locator('meeting-room >> participant-list >> [part~="participant"]').first().isVisible())) {
    await page.click('meeting-room >> meeting-controls >> [part~="participants"]');
  }
  await page.locator('meeting-room >> participant-list >> button', { hasText: name }).first().waitFor();
  await page.evaluate((name) => {
    const list = document.querySelector('meeting-room')!.shadowRoot!.querySelector('participant-list')!.shadowRoot!;
    [...list.querySelectorAll('button')].find((button) => button.textContent!.replace(/\s+/g, ' ').trim() === name)!.click();
  }, name);
}

/** Answers the open confirmation of `host` (an element inside `<meeting-room>`) with its confirm button. */
async function confirm(page: Page, host: string): Promise<void> {
  const dialog = page.locator(`meeting-room >> ${host} >> confirm-dialog >> dialog[open]`);
  await dialog.waitFor();
  await dialog.locator('[part~="confirm"]').click();
  await dialog.waitFor({ state: 'detached' });
}

/** Whether what `receiver` gets of `sender`'s `kind` (frames decoded, audio packets) stays still for 2 s. */
async function stopsArriving(receiver: MeetingPage, sender: MeetingPage, kind: 'framesDecoded' | 'audioPacketsReceived'): Promise<boolean> {
  const before = (await receiver.receivedFrom(sender.participantId))[kind];
  await delay(2000);
  return (await receiver.receivedFrom(sender.participantId))[kind] === before;
}

/** Frames the video of `sender`'s camera tile (not their screen's) presented on `receiver`'s page. */
function cameraFramesPresented(receiver: MeetingPage, sender: MeetingPage): Promise<number> {
  return receiver.page.evaluate((id) => {
    const grid = document.querySelector('meeting-room')!.shadowRoot!.querySelector('participant-grid')!.shadowRoot!;
    const tile = grid.querySelector(`participant-tile:not([source="screen"])[data-participant-id="${id}"]`);
    return tile?.shadowRoot?.querySelector('video')?.getVideoPlaybackQuality().totalVideoFrames ?? 0;
  }, sender.participantId);
}

describe('SFU mode with <meeting-room>: four people through Janus', () => {
  let sfu: SfuServer;
  let browser: Browser;
  let meeting: { code: string; hostKey: string };
  let room: string;
  const pages: MeetingPage[] = [];
  const tileGone = (page: MeetingPage, gone: MeetingPage) => page.waitForTile(gone.participantId, 'tile === null', 15_000);

  before(async () => {
    sfu = await startSfuServer();
    browser = await launchChromium();
    meeting = await createMeeting(sfu.parley.url);
  });
  after(async () => {
    for (const page of pages) await page.close();
    await browser?.close();
    await sfu?.stop();
  });

  test('four pages decode each other through Janus: one connection up and one down each, four publishers in the room', async () => {
    for (const name of ['Ada', 'Bob', 'Cem', 'Dan']) {
      const host = name === 'Ada' ? meeting : { code: meeting.code };
      pages.push(await MeetingPage.open(browser, sfu.embedder.url, host, name));
    }
    await assertTiles(pages);
    await assertEveryoneReceivesEveryone(pages);
    // Through Janus, not a mesh: two peer connections per page (publisher, subscriber) instead of three.
    for (const page of pages) assert.equal((await page.liveMediaObjects()).openPeerConnections, 2, `${page.name}'s peer connections`);
    room = (await sfu.roomOf(meeting.code))!.room;
    assert.deepEqual((await sfu.publishers(room)).sort(), pages.map((page) => page.participantId).sort());
  });

  test('screenshots: four tiles with video, names, microphone and the host badge, on a desktop and on a phone', async () => {
    const bob = pages[1]!;
    const framesPresented = (count: number) =>
      bob.page.waitForFunction(
        (count) => {
          const grid = document.querySelector('meeting-room')!.shadowRoot!.querySelector('participant-grid')!.shadowRoot!;
          const videos = [...grid.querySelectorAll('participant-tile')].map((tile) => tile.shadowRoot!.querySelector('video'));
          return videos.filter((video) => video && video.videoWidth > 0 && video.getVideoPlaybackQuality().totalVideoFrames > 0).length >= count;
        },
        count,
        { timeout: 20_000 },
      );
    // Dan's microphone off, for the tiles' microphone indicator to show.
    const dan = pages[3]!;
    await dan.evaluateRoom((element) => element.toggleMicrophone(false));
    await bob.waitForTile(dan.participantId, "tile.hasAttribute('audio-muted')", 10_000);
    await framesPresented(4);
    await screenshot(bob.page, 'sfu-grid-4');
    await bob.page.setViewportSize({ width: 360, height: 740 });
    // A phone shows the tiles that fit; they must still play.
    await delay(1500);
    await framesPresented(1);
    await screenshot(bob.page, 'sfu-grid-4-phone');
    await bob.page.setViewportSize({ width: 1280, height: 720 });
    await dan.evaluateRoom((element) => element.toggleMicrophone(true));
  });

  test('chat reaches everyone through the server (app-message), with no data channel', async () => {
    const [, bob, ...others] = pages as [MeetingPage, MeetingPage, ...MeetingPage[]];
    await bob.evaluateRoom((element) => element.room!.sendChatMessage('Hello through Janus'));
    for (const page of [pages[0]!, ...others]) {
      await page.page.waitForFunction(
        () => document.querySelector('meeting-room')!.room!.chatMessages.some((message) => message.text === 'Hello through Janus'),
        null,
        { timeout: 10_000 },
      );
    }
    // No peer-to-peer channel carried it: none was ever made.
    for (const page of pages) assert.equal(await page.page.evaluate(() => window.__recorded.dataChannels.length), 0, `${page.name} made a data channel`);
  });

  test('a screen shared by one person reaches the other three as a screen tile, and goes when they stop', async () => {
    const cem = pages[2]!;
    const others = pages.filter((page) => page !== cem);
    await cem.page.click('meeting-room meeting-controls [part~="screen-share"]');
    const screenTile = `participant-tile[source="screen"][data-participant-id="${cem.participantId}"]`;
    for (const page of others) {
      await page.page.waitForFunction(
        (selector) => {
          const grid = document.querySelector('meeting-room')!.shadowRoot!.querySelector('participant-grid')!;
          const video = grid.shadowRoot!.querySelector(selector)?.shadowRoot?.querySelector('video');
          return (video?.getVideoPlaybackQuality().totalVideoFrames ?? 0) > 0 && video!.videoWidth > 0;
        },
        screenTile,
        { timeout: 30_000 },
      );
    }
    // Beside the screen, the cameras the viewer's sidebar shows still play (Cem's too), at their thumbnail size.
    const ada = others[0]!;
    for (const sender of [pages[1]!, cem]) {
      await waitFor(async () => {
        const before = await cameraFramesPresented(ada, sender);
        await delay(1000);
        return (await cameraFramesPresented(ada, sender)) > before;
      }, `${sender.name}'s camera playing on Ada's sidebar`, 20_000);
    }
    await screenshot(ada.page, 'sfu-screen-share');
    await cem.page.click('meeting-room meeting-controls [part~="screen-share"]');
    for (const page of others) {
      await page.page.waitForFunction(
        (selector) => !document.querySelector('meeting-room')!.shadowRoot!.querySelector('participant-grid')!.shadowRoot!.querySelector(selector),
        screenTile,
        { timeout: 15_000 },
      );
    }
  });

  test("the host's mute: Janus stops forwarding the participant's audio until they unmute", async () => {
    const [ada, bob, , dan] = pages as [MeetingPage, MeetingPage, MeetingPage, MeetingPage];
    await waitFor(async () => !(await stopsArriving(bob, dan, 'audioPacketsReceived')), "Dan's audio arriving at Bob", 15_000);
    await clickPanelButton(ada.page, 'Mute Dan');
    await dan.page.waitForFunction(() => document.querySelector('meeting-room')!.room!.localParticipant.audioEnabled === false);
    // A muted microphone still sends packets of silence: only Janus's moderation stops them reaching Bob.
    await waitFor(() => stopsArriving(bob, dan, 'audioPacketsReceived'), "Dan's audio to stop arriving at Bob", 15_000);
    await dan.evaluateRoom((element) => element.toggleMicrophone(true));
    await waitFor(async () => !(await stopsArriving(bob, dan, 'audioPacketsReceived')), "Dan's audio back at Bob", 15_000);
  });

  test('the host removes Dan: he sees it, the others lose his tile, and Janus kicks him even if his page does not hang up', async () => {
    const [ada, bob] = pages as [MeetingPage, MeetingPage];
    const dan = pages.splice(3, 1)[0]!;
    assert.equal(dan.name, 'Dan');
    // A modified client that ignores its removal: Dan's page never closes his connections to Janus nor stops his
    // camera, so only the server's kick can take him out of the room.
    await dan.page.evaluate(() => {
      const { send, close } = WebSocket.prototype;
      WebSocket.prototype.send = function (this: WebSocket, data) {
        if (this.protocol !== 'janus-protocol') send.call(this, data);
      };
      WebSocket.prototype.close = function (this: WebSocket, code, reason) {
        if (this.protocol !== 'janus-protocol') close.call(this, code, reason);
      };
      RTCPeerConnection.prototype.close = () => {};
      MediaStreamTrack.prototype.stop = () => {};
    });
    await clickPanelButton(ada.page, 'Remove Dan');
    await confirm(ada.page, 'participant-list');
    await dan.page.waitForFunction(() => document.querySelector('meeting-room')!.room!.state === 'left', null, { timeout: 15_000 });
    assert.equal(await statusText(dan.page), 'A host removed you from the meeting');
    for (const page of pages) await tileGone(page, dan);
    await waitFor(async () => !(await sfu.publishers(room)).includes(dan.participantId), 'Janus to drop Dan', 15_000);
    assert.equal((await sfu.publishers(room)).length, 3);
    // Nothing of his reaches Bob any more.
    assert.ok(await stopsArriving(bob, dan, 'framesDecoded'), "Dan's video still arrives at Bob");
    await dan.close();
  });

  test('Cem leaves: the others drop his tile and Janus lists one publisher fewer', async () => {
    const cem = pages.pop()!;
    assert.equal(cem.name, 'Cem');
    await cem.evaluateRoom((element) => element.leave());
    for (const page of pages) await tileGone(page, cem);
    await waitFor(async () => (await sfu.publishers(room)).length === 2, 'two publishers in Janus', 15_000);
    assert.ok(!(await sfu.publishers(room)).includes(cem.participantId));
    assert.deepEqual(await cem.liveMediaObjects(), { liveTracks: 0, openPeerConnections: 0, liveReceiverTracks: 0 });
    await cem.close();
  });

  test("a page of another meeting cannot use its own Janus tokens to publish into or subscribe to this meeting's room", async () => {
    const other = await createMeeting(sfu.parley.url);
    let path: SfuMediaPath | undefined;
    // Mallory's media path, as her page receives it in the join answer.
    const mallory = await MeetingPage.open(browser, sfu.embedder.url, other, 'Mallory', async (context) => {
      // tsx names the functions defined inside the evaluated script with a helper the page lacks.
      await context.addInitScript('window.__name = (f) => f');
      context.on('page', (page) =>
        page.on('websocket', (socket) =>
          socket.on('framereceived', ({ payload }) => {
            const media = /"media":(\{[^{}]*"mode":"sfu"[^{}]*\})/.exec(String(payload))?.[1];
            if (media) path = JSON.parse(media) as SfuMediaPath;
          }),
        ),
      );
    });
    try {
      assert.ok(path, 'Mallory was given an SFU media path');
      assert.notEqual(path.room, room);
      const attempts = await mallory.page.evaluate(
        async ({ path, room, feed }) => {
          // Janus's JSON API by hand, as any script on the page could speak it, with Mallory's own tokens.
          const socket = new WebSocket(path.janusUrl, 'janus-protocol');
          await new Promise((resolve) => socket.addEventListener('open', resolve, { once: true }));
          let next = 0;
          const send = (message: Record<string, unknown>) =>
            new Promise<Record<string, any>>((resolve) => {
              const transaction = `t${next++}`;
              const onMessage = ({ data }: MessageEvent) => {
                const reply = JSON.parse(String(data));
                if (reply.transaction !== transaction || reply.janus === 'ack') return;
                socket.removeEventListener('message', onMessage);
                resolve(reply);
              };
              socket.addEventListener('message', onMessage);
              socket.send(JSON.stringify({ ...message, transaction, token: path.token }));
            });
          const session = (await send({ janus: 'create' })).data.id;
          const join = async (body: Record<string, unknown>) => {
            const handle = (await send({ janus: 'attach', plugin: 'janus.plugin.videoroom', session_id: session })).data.id;
            const reply = await send({ janus: 'message', session_id: session, handle_id: handle, body: { ...body, token: path.roomToken } });
            const data = reply.plugindata?.data ?? {};
            return data.error_code ? `${data.error_code} ${data.error}` : data.videoroom;
          };
          const result = {
            ownRoom: await join({ request: 'join', ptype: 'publisher', room: path.room, id: 'mallory-probe' }),
            publishHere: await join({ request: 'join', ptype: 'publisher', room, id: 'mallory-probe' }),
            subscribeHere: await join({ request: 'join', ptype: 'subscriber', room, streams: [{ feed }] }),
          };
          socket.close();
          return result;
        },
        { path, room, feed: pages[0]!.participantId },
      );
      // Her tokens work in her own room: the refusals below are about the room, not a broken request.
      assert.equal(attempts.ownRoom, 'joined');
      assert.match(attempts.publishHere, /^433 /, `publishing here: ${attempts.publishHere}`);
      assert.match(attempts.subscribeHere, /^433 /, `subscribing here: ${attempts.subscribeHere}`);
    } finally {
      await mallory.close();
    }
  });

  test('the host ends the meeting: everyone sees it ended, and the Janus room is destroyed', async () => {
    const [ada, ...others] = pages as [MeetingPage, ...MeetingPage[]];
    assert.ok(await sfu.roomOf(meeting.code), 'the Janus room exists before the end');
    await ada.page.click('meeting-room >> meeting-controls >> [part~="end-meeting"]');
    await confirm(ada.page, 'meeting-controls');
    for (const page of others) {
      await page.page.waitForFunction(() => document.querySelector('meeting-room')!.room!.state === 'left', null, { timeout: 15_000 });
      assert.equal(await statusText(page.page), 'The host ended the meeting');
    }
    await ada.page.waitForFunction(() => document.querySelector('meeting-room')!.room!.state === 'left');
    assert.equal(await statusText(ada.page), 'You ended the meeting');
    await waitFor(async () => (await sfu.roomOf(meeting.code)) === undefined, 'the Janus room to be destroyed', 15_000);
  });
});
