import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { LeaveReason, Room, RoomOptions } from '@parley/sdk';

declare global {
  interface Window {
    /** The SDK room a `SdkPage` drives. */
    __room: Room;
    /** The room's lifecycle events so far, once `recordLifecycleEvents()` ran. */
    __lifecycle: LifecycleEvent[];
    /** Why the room left, once it did (recorded with the lifecycle events). */
    __leftBecause: LeaveReason | undefined;
  }
}

/** Room events that tell how its connection to the server fares. */
export type LifecycleEvent = 'reconnecting' | 'reconnected' | 'disconnected' | 'left';

/**
 * A participant driven through the SDK directly (no elements), loaded the way any site would: `Room` from the
 * server's `/parley.js`. For tests that need `Room` options the element does not expose.
 */
export class SdkPage {
  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    readonly name: string,
  ) {}

  /** `embedderUrl` is any page on another origin; its own `<meeting-room>` is removed untouched. */
  static async open(browser: Browser, embedderUrl: string, name: string): Promise<SdkPage> {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.on('pageerror', (error) => console.error(`[${name}] page error:`, error));
    // tsx keeps function names with a helper that pages do not have.
    await page.addInitScript('window.__name = (f) => f');
    await page.goto(embedderUrl);
    await page.evaluate(() => document.querySelector('meeting-room')?.remove());
    return new SdkPage(context, page, name);
  }

  /**
   * Creates the room and joins (as host with `hostKey`); resolves with this participant's id. The SDK is loaded from
   * `moduleServer`, by default the same server.
   */
  async join(
    server: string,
    code: string,
    options: Omit<RoomOptions, 'server'> = {},
    hostKey?: string,
    moduleServer = server,
  ): Promise<string> {
    return this.page.evaluate(
      async ({ server, code, name, options, hostKey, moduleServer }) => {
        const { Room } = (await import(`${moduleServer}/parley.js`)) as typeof import('@parley/sdk');
        window.__room = new Room({ server, ...options });
        await window.__room.join({ code, name, ...(hostKey ? { hostKey } : {}) });
        return window.__room.localParticipant.id;
      },
      { server, code, name: this.name, options, hostKey, moduleServer },
    );
  }

  /** From now on, keeps the room's lifecycle events in order, for `lifecycleEvents()`. */
  async recordLifecycleEvents(): Promise<void> {
    await this.page.evaluate(() => {
      window.__lifecycle = [];
      for (const name of ['reconnecting', 'reconnected', 'disconnected'] as const) {
        window.__room.on(name as 'reconnected', () => window.__lifecycle.push(name));
      }
      window.__room.on('left', (reason) => {
        window.__lifecycle.push('left');
        window.__leftBecause = reason;
      });
    });
  }

  lifecycleEvents(): Promise<LifecycleEvent[]> {
    return this.page.evaluate(() => window.__lifecycle);
  }

  leftBecause(): Promise<LeaveReason | undefined> {
    return this.page.evaluate(() => window.__leftBecause);
  }

  async waitForLifecycleEvent(event: LifecycleEvent, timeoutMs = 20_000): Promise<void> {
    await this.page.waitForFunction((event) => window.__lifecycle.includes(event), event, { timeout: timeoutMs, polling: 100 });
  }

  /** Video frames decoded from `remoteId` so far. */
  async framesDecodedFrom(remoteId: string): Promise<number> {
    return (await this.received(remoteId)).framesDecoded;
  }

  /** Video frames decoded from `remoteId`, and the type of the local candidate of the selected pair. */
  async received(remoteId: string): Promise<{ framesDecoded: number; localCandidateType: string | undefined; state: string }> {
    return this.page.evaluate(async (id) => {
      const report = await window.__room.getStats(id);
      let framesDecoded = 0;
      let pairId: string | undefined;
      const pairs = new Map<string, RTCIceCandidatePairStats>();
      const candidates = new Map<string, { candidateType?: string }>();
      report?.forEach((stats) => {
        if (stats.type === 'inbound-rtp' && stats.kind === 'video') framesDecoded += stats.framesDecoded ?? 0;
        if (stats.type === 'transport') pairId = stats.selectedCandidatePairId;
        if (stats.type === 'candidate-pair') pairs.set(stats.id, stats);
        if (stats.type === 'local-candidate') candidates.set(stats.id, stats);
      });
      const pair = pairId ? pairs.get(pairId) : undefined;
      return {
        framesDecoded,
        localCandidateType: pair ? candidates.get(pair.localCandidateId)?.candidateType : undefined,
        state: window.__room.participants.get(id)?.connectionState ?? 'none',
      };
    }, remoteId);
  }

  close(): Promise<void> {
    return this.context.close();
  }
}
