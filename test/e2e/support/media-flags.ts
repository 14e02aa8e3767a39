/**
 * Chromium flags for media tests beyond one fake camera with every prompt granted, as measured on Debian Chromium 156
 * headless (playwright-core, `headless: true`):
 *
 * Several devices — `--use-fake-device-for-media-stream=device-count=N` gives N cameras labelled `fake_device_0` …
 * `fake_device_{N-1}` (640×480 @ 20 fps); `getUserMedia({ video: { deviceId: { exact } } })` opens exactly that one
 * (the track's label and `getSettings().deviceId` match). Beware: `fake_device_1` delivers Y16 (depth) frames, which a
 * `<video>` shows but no WebRTC encoder takes — a sender switched to it sends nothing; switch to `fake_device_2`. Options are separated by commas (`device-count=2,fps=15`);
 * a `;` gives zero cameras, and quotes are passed literally (no shell), which silently gives the default single camera.
 * Microphones do not follow `device-count`: there are always three, `Fake Default Audio Input` (deviceId `default`),
 * `Fake Audio Input 1`, `Fake Audio Input 2`, each openable by exact deviceId (and three fake audio outputs).
 * When the flag is given twice, the last one wins.
 *
 * Screen sharing — with `--use-fake-ui-for-media-stream`, `getDisplayMedia()` resolves at once, without a user gesture,
 * with a fake surface: `screen:-3:0` (displaySurface `monitor`, 1280×720), or `window:-3:0` / a fake tab with the fake
 * device option `display-media-type=window|browser`; `{ audio: true }` adds an audio track. The fake UI overrides
 * `--auto-select-*` flags. Without fake UI, `getDisplayMedia()` waits forever on the (invisible) picker, except with
 * `--auto-select-tab-capture-source-by-title=T` (captures the real tab whose title contains T; no gesture needed) or
 * `--auto-accept-this-tab-capture` (only `{ preferCurrentTab: true }`: captures the calling tab).
 * `--auto-select-desktop-capture-source=Entire screen` never resolves in headless (no desktop), nor does
 * `--enable-usermedia-screen-capturing` change anything.
 * Ending: `track.stop()` sets readyState `ended` but, per spec, fires no `ended` event. The browser ending the capture
 * (its "Stop sharing") can be reproduced for real only with tab capture: closing the captured tab fires `ended`
 * (readyState `ended`). With a fake surface, the best is `track.stop(); track.dispatchEvent(new Event('ended'))`.
 *
 * Permissions — launched WITHOUT `--use-fake-ui-for-media-stream`, headless answers every camera/microphone prompt
 * with a denial: `getUserMedia` rejects with `NotAllowedError` ("Permission denied") after ~250 ms and
 * `permissions.query` turns `denied`; `context.grantPermissions([])` and `--deny-permission-prompts` behave the same.
 * A later `context.grantPermissions(['camera', 'microphone'], { origin })` works in the same page: the next
 * `getUserMedia` succeeds and `permissions` fire `change` → `granted`. Granting only `camera` makes a video+audio
 * request fail with NotAllowedError. `context.clearPermissions()` or `denyMedia()` (an explicit block) end live tracks
 * (readyState `ended`) and later requests are denied; `grantMedia` lifts either. `--use-fake-ui-for-media-stream=deny` also rejects with
 * NotAllowedError, but then no `grantPermissions` can undo it. Device labels are empty until a grant.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CHROMIUM_ARGS, launchChromium } from './browser.js';

export const FAKE_DEVICE_FLAG = '--use-fake-device-for-media-stream';
export const FAKE_UI_FLAG = '--use-fake-ui-for-media-stream';

/** Labels of the fake microphones, whatever `device-count` says. The first has deviceId `default`. */
export const FAKE_MICROPHONE_LABELS = ['Fake Default Audio Input', 'Fake Audio Input 1', 'Fake Audio Input 2'] as const;

/** Label (and `enumerateDevices()` label) of fake camera `index`. */
export const fakeCameraLabel = (index: number): string => `fake_device_${index}`;

/** Label of the fake screen `getDisplayMedia()` gives under fake UI with the default `displaySurface`. */
export const FAKE_SCREEN_LABEL = 'screen:-3:0';

export interface FakeDeviceOptions {
  /** Number of fake cameras (`device-count`); default 1. */
  cameras?: number;
  /** Camera frame rate (`fps`); default 20. */
  fps?: number;
  /** What fake-UI `getDisplayMedia()` returns (`display-media-type`); default `monitor`. */
  displaySurface?: 'monitor' | 'window' | 'browser';
}

/** `--use-fake-device-for-media-stream[=opt=value,…]`: options separated by commas, never quoted. */
export function fakeDeviceFlag(options: FakeDeviceOptions = {}): string {
  const settings: string[] = [];
  if (options.cameras !== undefined) {
    if (!Number.isInteger(options.cameras) || options.cameras < 1) throw new Error('cameras must be a positive integer');
    settings.push(`device-count=${options.cameras}`);
  }
  if (options.fps !== undefined) settings.push(`fps=${options.fps}`);
  if (options.displaySurface && options.displaySurface !== 'monitor') {
    settings.push(`display-media-type=${options.displaySurface}`);
  }
  return settings.length === 0 ? FAKE_DEVICE_FLAG : `${FAKE_DEVICE_FLAG}=${settings.join(',')}`;
}

/**
 * How camera/microphone prompts are answered:
 * - `'grant'`: `--use-fake-ui-for-media-stream`, everything granted, also `getDisplayMedia()` (a fake surface).
 * - `'deny'`: `--use-fake-ui-for-media-stream=deny`, every request rejects with NotAllowedError, for good.
 * - `'per-context'`: no fake UI. Denied (NotAllowedError) until `grantMedia(context, origin)`, which works at any
 *   time, also after a denial in the same page.
 */
export type PromptAnswer = 'grant' | 'deny' | 'per-context';

export interface MediaLaunchOptions extends FakeDeviceOptions {
  /** Default `'grant'`, as `launchChromium()`. */
  prompts?: PromptAnswer;
  /**
   * `getDisplayMedia()` captures the real tab whose title contains this (`--auto-select-tab-capture-source-by-title`);
   * closing that tab ends the capture like the browser's "Stop sharing". Needs `prompts: 'per-context'`: the fake UI
   * would answer with a fake screen instead. See `openTabToCapture`.
   */
  captureTabTitled?: string;
  /** `getDisplayMedia({ preferCurrentTab: true })` captures the calling tab (`--auto-accept-this-tab-capture`). Needs `prompts: 'per-context'`. */
  acceptThisTabCapture?: boolean;
  /** Appended last. */
  extraArgs?: string[];
}

/** `CHROMIUM_ARGS` with the fake-device and fake-UI flags replaced as `options` say. */
export function mediaChromiumArgs(options: MediaLaunchOptions = {}): string[] {
  const prompts = options.prompts ?? 'grant';
  if ((options.captureTabTitled !== undefined || options.acceptThisTabCapture) && prompts !== 'per-context') {
    throw new Error("Tab capture flags are overridden by the fake UI: use prompts: 'per-context'");
  }
  const isMediaFlag = (arg: string) =>
    [FAKE_DEVICE_FLAG, FAKE_UI_FLAG].some((flag) => arg === flag || arg.startsWith(`${flag}=`));
  return [
    ...CHROMIUM_ARGS.filter((arg) => !isMediaFlag(arg)),
    fakeDeviceFlag(options),
    ...(prompts === 'grant' ? [FAKE_UI_FLAG] : prompts === 'deny' ? [`${FAKE_UI_FLAG}=deny`] : []),
    ...(options.captureTabTitled !== undefined
      ? [`--auto-select-tab-capture-source-by-title=${options.captureTabTitled}`]
      : []),
    ...(options.acceptThisTabCapture ? ['--auto-accept-this-tab-capture'] : []),
    ...(options.extraArgs ?? []),
  ];
}

/** `launchChromium()` with other media flags; the same checks (see browser.ts). */
export function launchChromiumWith(options: MediaLaunchOptions = {}): Promise<Browser> {
  return launchChromium(mediaChromiumArgs(options));
}

/** Grants camera and microphone to `origin` in `context` (launched with `prompts: 'per-context'`); works after a denial too. */
export function grantMedia(context: BrowserContext, origin: string): Promise<void> {
  return context.grantPermissions(['camera', 'microphone'], { origin: new URL(origin).origin });
}

/**
 * Blocks camera and/or microphone for `origin` in `page`'s context, as a user's "Block" site setting would: live
 * tracks of that kind end at once, `getUserMedia` rejects with NotAllowedError without a prompt, and
 * `permissions.query` says `denied`. `grantMedia` lifts it, also for the same page. Playwright can only grant or
 * reset, so this goes through CDP `Browser.setPermission` (whose `granted` and `prompt` settings, by contrast, have
 * no effect on media in this Chromium: use `grantMedia`).
 */
export async function denyMedia(
  page: Page,
  origin: string,
  kinds: ReadonlyArray<'camera' | 'microphone'> = ['camera', 'microphone'],
): Promise<void> {
  const browser = page.context().browser();
  if (!browser) throw new Error('The page has no browser (persistent context?)');
  const pageSession = await page.context().newCDPSession(page);
  const { targetInfo } = await pageSession.send('Target.getTargetInfo');
  await pageSession.detach();
  const browserSession = await browser.newBrowserCDPSession();
  try {
    for (const name of kinds) {
      await browserSession.send('Browser.setPermission', {
        permission: { name },
        setting: 'denied',
        origin: new URL(origin).origin,
        ...(targetInfo.browserContextId ? { browserContextId: targetInfo.browserContextId } : {}),
      });
    }
  } finally {
    await browserSession.detach();
  }
}

/** The title `openTabToCapture` gives by default; launch with `captureTabTitled: CAPTURE_TAB_TITLE`. */
export const CAPTURE_TAB_TITLE = 'Parley capture target';

/**
 * A tab for `getDisplayMedia()` to capture (launched with `captureTabTitled`), in `context`. It shows a moving clock,
 * so the capture has changing frames. `close()` it to end the capture the way the browser's "Stop sharing" does:
 * the track fires `ended`.
 */
export async function openTabToCapture(context: BrowserContext, title = CAPTURE_TAB_TITLE): Promise<Page> {
  const page = await context.newPage();
  await page.setContent(
    `<!doctype html><title>${title.replace(/[<&]/g, '')}</title><body style="font: 64px sans-serif">` +
      `<p id="clock"></p><script>setInterval(() => { clock.textContent = performance.now().toFixed(0); }, 50);</script>`,
  );
  return page;
}
