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
    __recorded: {
      tracks: MediaStreamTrack[];
      peerConnections: RTCPeerConnection[];
      dataChannels: RTCDataChannel[];
      webSockets: WebSocket[];
      /** Timer ids set and neither fired (timeouts) nor cleared. */
      pendingTimers: Set<number>;
    };
  }
}

/**
 * Runs in the page before any of its scripts: records every captured track, peer connection, data channel,
 * WebSocket and pending timer, so a test can prove that nothing outlives a meeting.
 */
function recordMediaObjects(): void {
  const recorded: Window['__recorded'] = {
    tracks: [],
    peerConnections: [],
    dataChannels: [],
    webSockets: [],
    pendingTimers: new Set(),
  };
  window.__recorded = recorded;
  for (const method of ['getUserMedia', 'getDisplayMedia'] as const) {
    const capture = MediaDevices.prototype[method] as (this: MediaDevices, c?: unknown) => Promise<MediaStream>;
    MediaDevices.prototype[method] = async function (this: MediaDevices, constraints?: unknown) {
      const stream = await capture.call(this, constraints);
      recorded.tracks.push(...stream.getTracks());
      return stream;
    } as never;
  }
  const NativePeerConnection = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends NativePeerConnection {
    constructor(configuration?: RTCConfiguration) {
      super(configuration);
      recorded.peerConnections.push(this);
    }
    override createDataChannel(label: string, options?: RTCDataChannelInit): RTCDataChannel {
      const channel = super.createDataChannel(label, options);
      recorded.dataChannels.push(channel);
      return channel;
    }
  };
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      recorded.webSockets.push(this);
    }
  };
  const { setTimeout: nativeSetTimeout, clearTimeout: nativeClearTimeout } = window;
  const { setInterval: nativeSetInterval, clearInterval: nativeClearInterval } = window;
  window.setTimeout = ((handler: TimerHandler, timeout?: number, ...args: unknown[]) => {
    const id = nativeSetTimeout(
      (...callArgs: unknown[]) => {
        recorded.pendingTimers.delete(id);
        if (typeof handler === 'function') handler(...callArgs);
      },
      timeout,
      ...args,
    );
    recorded.pendingTimers.add(id);
    return id;
  }) as typeof window.setTimeout;
  window.setInterval = ((handler: TimerHandler, timeout?: number, ...args: unknown[]) => {
    const id = nativeSetInterval(handler, timeout, ...args);
    recorded.pendingTimers.add(id);
    return id;
  }) as typeof window.setInterval;
  window.clearTimeout = ((id?: number) => {
    if (id !== undefined) recorded.pendingTimers.delete(id);
    nativeClearTimeout(id);
  }) as typeof window.clearTimeout;
  window.clearInterval = ((id?: number) => {
    if (id !== undefined) recorded.pendingTimers.delete(id);
    nativeClearInterval(id);
  }) as typeof window.clearInterval;
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
    /** Runs on the new context before the page loads, e.g. to grant permissions. */
    prepare?: (context: BrowserContext) => Promise<void>,
  ): Promise<MeetingPage> {
    const query = new URLSearchParams({ code: meeting.code, name, hostKey: meeting.hostKey ?? '' });
    return MeetingPage.openUrl(browser, `${embedderUrl}/?${query}`, name, { prepare });
  }

  /**
   * Opens any page holding one `<meeting-room>` and waits until it has joined. `join` runs once the page has
   * loaded, for pages that do not join by themselves (e.g. to press the prejoin screen's Join).
   */
  static async openUrl(
    browser: Browser,
    url: string,
    name: string,
    {
      prepare,
      join,
    }: { prepare?: (context: BrowserContext) => Promise<void>; join?: (page: Page) => Promise<void> } = {},
  ): Promise<MeetingPage> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    await prepare?.(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => console.error(`[${name}] page error:`, error));
    await page.addInitScript(recordMediaObjects);
    await page.goto(url);
    await join?.(page);
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
    ).catch(async (error: Error) => {
      const attributes = await this.page.evaluate((id) => {
        const grid = document.querySelector('meeting-room')!.shadowRoot!.querySelector('participant-grid')!;
        const tile = grid.shadowRoot!.querySelector(`participant-tile[data-participant-id="${id}"]`);
        return tile && tile.getAttributeNames().map((name) => `${name}="${tile.getAttribute(name)}"`).join(' ');
      }, participantId);
      throw new Error(`${error.message}\nwaiting for (${predicate}); the tile: ${attributes ?? 'none'}`, { cause: error });
    });
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

  /** Waits until this page has decoded video from `remoteId`. */
  async waitForVideoFrom(remoteId: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((await this.receivedFrom(remoteId)).framesDecoded === 0) {
      if (Date.now() > deadline) {
        const state = await this.page.evaluate((id) => document.querySelector('meeting-room')!.room!.participants.get(id)?.connectionState, remoteId);
        throw new Error(`${this.name} decoded no video from ${remoteId} in ${timeoutMs} ms (connection ${state})`);
      }
      await this.page.waitForTimeout(100);
    }
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

  /** Everything else a meeting could leave running: data channels, WebSockets, timers. */
  openResources(): Promise<{ openDataChannels: number; openWebSockets: number; pendingTimers: number }> {
    return this.page.evaluate(() => ({
      openDataChannels: window.__recorded.dataChannels.filter((channel) => channel.readyState !== 'closed').length,
      openWebSockets: window.__recorded.webSockets.filter((socket) => socket.readyState !== WebSocket.CLOSED).length,
      pendingTimers: window.__recorded.pendingTimers.size,
    }));
  }

  close(): Promise<void> {
    return this.context.close();
  }
}
