import { css, html, render, unsafeCSS } from 'lit';
import { ParleyError, type Participant } from '@parley/sdk';
import { icon } from '../../call-icons.js';
import { dispatchParleyEvent, errorDetail } from '../../events.js';
import type { Catalog } from '../../i18n/localize.js';
import { ignore } from '../../outcomes.js';
import type { RoomPart } from '../../room-like.js';
import { tokens } from '../../styles/tokens.js';
import type { VideoSize } from '../../controllers/video-wanted-controller.js';
import { meetingControlsStyles } from '../meeting-controls/meeting-controls.styles.js';
import type { ParticipantGrid } from '../participant-grid/participant-grid.component.js';

/** What the picture-in-picture window uses of a room. */
export type PictureInPictureRoom = RoomPart<'localParticipant' | 'participants' | 'activeSpeaker' | 'toggleMicrophone' | 'leave'>;

/** What it needs of `<meeting-room>`: the element (events fire on it, its theme and grid are read), its room and strings. */
export interface PictureInPictureHost {
  readonly element: HTMLElement;
  readonly room: PictureInPictureRoom;
  text(): Catalog;
}

/** Chromium's Document Picture-in-Picture API (not in TypeScript's DOM types yet). */
interface DocumentPictureInPicture {
  /** The window open now, if any. */
  readonly window: Window | null;
  requestWindow(options?: { width?: number; height?: number }): Promise<Window>;
}

declare global {
  // eslint-disable-next-line no-var
  var documentPictureInPicture: DocumentPictureInPicture | undefined;
}

/** The theme the window takes from the page: each token's value where `<meeting-room>` resolved it. */
const THEMED = ['background', 'surface', 'text', 'muted-text', 'accent', 'on-accent', 'danger', 'radius', 'font'];

/**
 * The window's own sheet: the tokens and the controls' buttons, copied as text (`adoptedStyleSheets` cannot cross
 * documents), with `:host` made the window's root and the toolbar.
 */
const windowStyles = [
  unsafeCSS(tokens.cssText.replace(':host', ':root')),
  unsafeCSS(meetingControlsStyles.cssText.replaceAll(':host', '.controls')),
  css`
    body {
      margin: 0;
      height: 100vh;
      display: grid;
      grid-template-rows: 1fr auto;
      background: var(--_background);
    }
    .speaker {
      position: relative;
      min-height: 0;
    }
    video {
      width: 100%;
      height: 100%;
      object-fit: cover;
      background: var(--_surface);
    }
    .name {
      position: absolute;
      left: 8px;
      bottom: 8px;
      margin: 0;
      padding: 2px 8px;
      border-radius: 4px;
      background: rgb(0 0 0 / 0.6);
      color: #fff;
    }
  `,
]
  .map((sheet) => sheet.cssText)
  .join('\n');

/** The window open (or opening) for each `<meeting-room>`: asking again gives the same one. */
const open = new WeakMap<HTMLElement, Promise<Opened>>();

/**
 * Opens the active speaker, their name, and microphone and leave buttons in a window that floats above other windows:
 * Chromium's Document Picture-in-Picture where it exists, else the speaker's video alone in the video
 * picture-in-picture window, with the browser's own microphone and hang-up buttons (Media Session). Needs a user
 * gesture (a click, or the browser's own `enterpictureinpicture`). Rejects with `invalid-state` where the browser has
 * neither. Fires `parley-pip-opened` on the element, then `parley-pip-closed` once the window is gone, however.
 */
export async function openPictureInPicture(host: PictureInPictureHost): Promise<void> {
  let opening = open.get(host.element);
  if (!opening) {
    opening = openWindow(host);
    open.set(host.element, opening);
    // A window that failed to open, or closed, is opened afresh next time.
    const forget = () => open.get(host.element) === opening && open.delete(host.element);
    opening.then(({ closed }) => closed.then(forget), forget);
  }
  await opening;
}

/** Closes the element's window, if one is open. */
export function closePictureInPicture(element: HTMLElement): void {
  open.get(element)?.then(({ close }) => close(), ignore);
}

/**
 * With `auto-pip`: lets the browser open the window by itself when the user switches away from the meeting's tab
 * (Chromium's automatic picture-in-picture, which sends Media Session's `enterpictureinpicture` to sites using the
 * camera or microphone once the user allowed it). Until the room leaves.
 */
export function openWhenHidden(host: PictureInPictureHost): void {
  const { mediaSession } = navigator;
  try {
    mediaSession.setActionHandler(action('enterpictureinpicture'), () => {
      openPictureInPicture(host).catch((error: unknown) => dispatchParleyEvent(host.element, 'parley-error', errorDetail(error)));
    });
  } catch {
    // A browser that knows no such action (it throws a TypeError): there is nothing to offer it.
    return;
  }
  const stop = () => {
    mediaSession.setActionHandler(action('enterpictureinpicture'), null);
    host.room.off('left', stop);
  };
  host.room.on('left', stop);
}

async function openWindow(host: PictureInPictureHost): Promise<Opened> {
  const view = new SpeakerView(host);
  try {
    const api = globalThis.documentPictureInPicture;
    if (!api && !document.pictureInPictureEnabled) throw ParleyError.invalidState('This browser has no picture-in-picture window');
    const opened = await (api ? inDocumentWindow(view, api) : inVideoWindow(view));
    // The meeting left (or its element removed, which leaves) takes its window with it.
    host.room.on('left', opened.close);
    dispatchParleyEvent(host.element, 'parley-pip-opened', {});
    void opened.closed.then(() => {
      host.room.off('left', opened.close);
      view.stop();
      dispatchParleyEvent(host.element, 'parley-pip-closed', {});
    });
    return opened;
  } catch (error) {
    view.stop();
    throw error;
  }
}

/**
 * Who the window shows and what changes it: the active speaker when it is someone else, else whoever else spoke
 * last, else the first other participant, else you (alone in the meeting). `render` runs on every change.
 */
class SpeakerView {
  readonly host: PictureInPictureHost;
  render = (): void => {};
  #lastOther: Participant | null = null;
  readonly #events = ['active-speaker-changed', 'participant-left', 'stream-changed', 'media-changed'] as const;

  constructor(host: PictureInPictureHost) {
    this.host = host;
    for (const event of this.#events) host.room.on(event, this.#changed);
  }

  get speaker(): Participant {
    const { room } = this.host;
    const active = room.activeSpeaker;
    if (active && !active.isLocal) this.#lastOther = active;
    if (this.#lastOther && room.participants.get(this.#lastOther.id) !== this.#lastOther) this.#lastOther = null;
    return this.#lastOther ?? room.participants.values().next().value ?? room.localParticipant;
  }

  /** Tells the grid the camera shown here, at `size`, so the room keeps sending it while the page is hidden. */
  shown(size: VideoSize): void {
    const { id, isLocal } = this.speaker;
    this.#tellGrid(new Map(isLocal ? [] : [[id, size]]));
  }

  toggleMicrophone = (): void => this.#run(() => this.host.room.toggleMicrophone());
  leave = (): void => this.#run(() => this.host.room.leave());

  stop(): void {
    for (const event of this.#events) this.host.room.off(event, this.#changed);
    this.#tellGrid(new Map());
  }

  #tellGrid(shown: ReadonlyMap<string, VideoSize>): void {
    const grid = this.host.element.shadowRoot?.querySelector<ParticipantGrid>('participant-grid');
    if (grid) grid.shownElsewhere = shown;
  }

  #changed = (): void => this.render();

  #run(action: () => Promise<unknown>): void {
    action().catch((error: unknown) => dispatchParleyEvent(this.host.element, 'parley-error', errorDetail(error)));
  }
}

type Opened = { close: () => void; closed: Promise<void> };

/**
 * A document of our own in the window. It is rendered there as plain DOM (a `<video>` and two buttons), not by moving
 * a `<participant-tile>` or `<meeting-controls>` over: custom elements are defined per window, and a moved element's
 * shadow styles (constructed sheets) cannot be used in another document; nor would the grid keep the tile it lost.
 */
async function inDocumentWindow(view: SpeakerView, api: DocumentPictureInPicture): Promise<Opened> {
  const pip = await api.requestWindow({ width: 360, height: 280 });
  const { document: pipDocument } = pip;
  const computed = getComputedStyle(view.host.element);
  for (const name of THEMED) pipDocument.documentElement.style.setProperty(`--parley-${name}`, computed.getPropertyValue(`--_${name}`));
  const style = pipDocument.createElement('style');
  style.textContent = windowStyles;
  pipDocument.head.append(style);
  pipDocument.title = view.host.text().pictureInPicture;
  view.render = () => {
    const text = view.host.text();
    const speaker = view.speaker;
    const micOn = view.host.room.localParticipant.audioEnabled;
    // Muted: the page plays everyone's sound already.
    render(
      html`<div class="speaker">
          <video autoplay playsinline muted></video>
          <p class="name">${speaker.isLocal ? text.you : speaker.name}</p>
        </div>
        <div class="controls" role="toolbar" aria-label=${text.meetingControls}>
          <button class="device" aria-pressed=${String(micOn)} aria-label=${text.microphone} title=${text.microphone} @click=${view.toggleMicrophone}>
            ${icon(micOn ? 'mic' : 'micOff')}
          </button>
          <button class="leave" aria-label=${text.leaveMeeting} title=${text.leaveMeeting} @click=${view.leave}>${icon('callEnd')}</button>
        </div>`,
      pipDocument.body,
      { creationScope: pipDocument },
    );
    // Set only when it changes: setting `srcObject` again, even to the same stream, restarts the video (and a
    // property binding would set it on every render, as Lit sets objects unconditionally).
    const video = pipDocument.querySelector('video')!;
    if (video.srcObject !== speaker.stream) video.srcObject = speaker.stream;
    view.shown(videoSize(pip));
  };
  view.render();
  pip.addEventListener('resize', () => view.shown(videoSize(pip)));
  const closed = new Promise<void>((resolve) => pip.addEventListener('pagehide', () => resolve(), { once: true }));
  return { close: () => pip.close(), closed };
}

/** The speaker's video's size in the window: the controls take the bottom 72 px. */
function videoSize(pip: Window): VideoSize {
  return { width: pip.innerWidth, height: Math.max(pip.innerHeight - 72, 1) };
}

/**
 * The fallback: the speaker's camera in the browser's video picture-in-picture window. The controls there are the
 * browser's own: Media Session's microphone toggle and hang up.
 */
async function inVideoWindow(view: SpeakerView): Promise<Opened> {
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  const { mediaSession } = navigator;
  view.render = () => {
    const stream = view.speaker.stream;
    if (video.srcObject !== stream) video.srcObject = stream;
    mediaSession.setMicrophoneActive?.(view.host.room.localParticipant.audioEnabled);
  };
  view.render();
  try {
    await video.play();
    await video.requestPictureInPicture();
  } catch (cause) {
    throw new ParleyError('invalid-state', 'The speaker has no video to show in picture-in-picture', { cause });
  }
  mediaSession.setActionHandler(action('togglemicrophone'), view.toggleMicrophone);
  mediaSession.setActionHandler(action('hangup'), view.leave);
  view.shown({ width: video.videoWidth, height: video.videoHeight });
  const closed = new Promise<void>((resolve) =>
    video.addEventListener('leavepictureinpicture', () => {
      mediaSession.setActionHandler(action('togglemicrophone'), null);
      mediaSession.setActionHandler(action('hangup'), null);
      video.srcObject = null;
      resolve();
    }, { once: true }),
  );
  return { close: () => void document.exitPictureInPicture().catch(ignore), closed };
}

/** Media Session's video-call actions, which TypeScript's DOM types do not list yet. */
function action(name: 'togglemicrophone' | 'hangup' | 'enterpictureinpicture'): MediaSessionAction {
  return name as MediaSessionAction;
}
