import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { MeetingRoom } from '@parley/elements';

/** Media counters of what one page receives from one remote participant. */
export interface ReceivedMedia {
  framesDecoded: number;
  audioPacketsReceived: number;
  /** Frames the tile's `<video>` element actually presented. */
  framesPresented: number;
  videoWidth: number;
}

declare global {
  interface Window {
    /** Everything the page's media code created, recorded by `recordMediaObjects`. */
    __recorded: { tracks: MediaStreamTrack[]; peerConnections: RTCPeerConnection[] };
  }
}

/** Runs in the page before any of its scripts: records every captured track and every peer connection. */
function recordMediaObjects(): void {
  window.__recorded = { tracks: [], peerConnections: [] };
  const getUserMedia = MediaDevices.prototype.getUserMedia;
  MediaDevices.prototype.getUserMedia = async function (constraints) {
    const stream = await getUserMedia.call(this, constraints);
    window.__recorded.tracks.push(...stream.getTracks());
    return stream;
  };
  const NativePeerConnection = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends NativePeerConnection {
    constructor(configuration?: RTCConfiguration) {
      super(configuration);
      window.__recorded.peerConnections.push(this);
    }
  };
}

/** One participant: a browser context with an embedder page holding `<meeting-room autojoin>`. */
export class MeetingPage {
  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    readonly name: string,
    readonly participantId: string,
  ) {}

  static async open(
    browser: Browser,
    embedderUrl: string,
    meeting: { code: string; hostKey?: string },
    name: string,
  ): Promise<MeetingPage> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    const page = await context.newPage();
    page.on('pageerror', (error) => console.error(`[${name}] page error:`, error));
    await page.addInitScript(recordMediaObjects);
    const query = new URLSearchParams({ code: meeting.code, name, hostKey: meeting.hostKey ?? '' });
    await page.goto(`${embedderUrl}/?${query}`);
    await page.waitForFunction(() => document.querySelector('meeting-room')?.room?.state === 'joined', null, {
      timeout: 20_000,
    });
    const participantId = await page.evaluate(() => document.querySelector('meeting-room')!.room!.localParticipant.id);
    return new MeetingPage(context, page, name, participantId);
  }

  /** Runs `action` with the page's `<meeting-room>`. */
  evaluateRoom<T>(action: (element: MeetingRoom) => T | Promise<T>): Promise<T> {
    return this.page.evaluate(
      `(${action.toString()})(document.querySelector('meeting-room'))`,
    ) as Promise<T>;
  }

  /** Participant ids of the tiles in the grid, in order. */
  tileIds(): Promise<string[]> {
    return this.page.evaluate(() => {
      const grid = document.querySelector('meeting-room')!.shadowRoot!.querySelector('participant-grid')!;
      return [...grid.shadowRoot!.querySelectorAll('participant-tile')].map((tile) => tile.dataset.participantId!);
    });
  }

  gridLayout(): Promise<string | undefined> {
    return this.page.evaluate(() => {
      const grid = document.querySelector('meeting-room')!.shadowRoot!.querySelector('participant-grid')!;
      return grid.shadowRoot!.querySelector<HTMLElement>('[part="grid"]')?.dataset.layout;
    });
  }

  /** Waits until `predicate` holds for the tile of `participantId` (`null` when there is no such tile). */
  async waitForTile(participantId: string, predicate: string, timeoutMs: number): Promise<void> {
    await this.page.waitForFunction(
      ([id, body]) => {
        const grid = document.querySelector('meeting-room')!.shadowRoot!.querySelector('participant-grid')!;
        const tile = grid.shadowRoot!.querySelector(`participant-tile[data-participant-id="${id}"]`);
        return new Function('tile', `return (${body});`)(tile);
      },
      [participantId, predicate] as const,
      { timeout: timeoutMs, polling: 50 },
    );
  }

  async receivedFrom(remoteId: string): Promise<ReceivedMedia> {
    return this.page.evaluate(async (id) => {
      const element = document.querySelector('meeting-room')!;
      const report = await element.room!.getStats(id);
      let framesDecoded = 0;
      let audioPacketsReceived = 0;
      report?.forEach((stats) => {
        if (stats.type !== 'inbound-rtp') return;
        if (stats.kind === 'video') framesDecoded += stats.framesDecoded ?? 0;
        if (stats.kind === 'audio') audioPacketsReceived += stats.packetsReceived ?? 0;
      });
      const grid = element.shadowRoot!.querySelector('participant-grid')!;
      const tile = grid.shadowRoot!.querySelector(`participant-tile[data-participant-id="${id}"]`);
      const video = tile?.shadowRoot?.querySelector('video');
      return {
        framesDecoded,
        audioPacketsReceived,
        framesPresented: video?.getVideoPlaybackQuality().totalVideoFrames ?? 0,
        videoWidth: video?.videoWidth ?? 0,
      };
    }, remoteId);
  }

  /** Tracks this page captured that are still live, and peer connections not closed. */
  liveMediaObjects(): Promise<{ liveTracks: number; openPeerConnections: number; liveReceiverTracks: number }> {
    return this.page.evaluate(() => ({
      liveTracks: window.__recorded.tracks.filter((track) => track.readyState === 'live').length,
      openPeerConnections: window.__recorded.peerConnections.filter((pc) => pc.connectionState !== 'closed').length,
      liveReceiverTracks: window.__recorded.peerConnections
        .flatMap((pc) => pc.getReceivers())
        .filter((receiver) => receiver.track.readyState === 'live').length,
    }));
  }

  close(): Promise<void> {
    return this.context.close();
  }
}
