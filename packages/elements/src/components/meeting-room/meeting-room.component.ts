import { html, nothing, type PropertyDeclarations, type PropertyValues } from 'lit';
import { ParleyError, Room, type JoinOptions, type LeaveReason, type Participant, type Reaction, type RecordingState, type VideoEffect } from '@parley/sdk';
import {
  BACKGROUND_OPTIONS,
  rememberBackground,
  rememberedBackground,
  videoEffectFor,
  type BackgroundChoice,
} from '../../background/background-choice.js';
import { dispatchParleyEvent, errorDetail, type PanelName, type ParleyEventDetailMap } from '../../events.js';
import { ParleyElement } from '../../parley-element.js';
import { ignore } from '../../outcomes.js';
import { tokens } from '../../styles/tokens.js';
import { icon } from '../../icons.js';
import { loadCallUi, prefetchCallUi } from '../../load-call-ui.js';
import type { MeetingNotices } from '../meeting-notices/meeting-notices.component.js';
import { rememberedName } from '../prejoin-screen/remembered-name.js';
import { PrejoinScreen } from '../prejoin-screen/prejoin-screen.component.js';
import type { Recording } from '../../recording/local-recorder.js';
import { meetingRoomStyles } from './meeting-room.styles.js';
import { RoomEventsController } from '../../controllers/room-events-controller.js';
import { bindRoomNotices, showDeviceProblem, withNotices, type RoomNoticesHost } from './room-notices.js';

type Phase = 'prejoin' | 'joining' | 'waiting' | 'joined' | 'left';

/**
 * The side panels' modules, fetched the first time one opens: most of a call never needs them, so a page starts
 * without them. The element is rendered at once and upgrades when its module arrives.
 */
const panelModules: Record<PanelName, () => Promise<unknown>> = {
  chat: () => import('../chat-panel/chat-panel.js'),
  participants: () => import('../participant-list/participant-list.js'),
  settings: () => import('../device-settings/device-settings.js'),
};


/** The picture-in-picture window's code, fetched the first time it opens (see call-ui.ts). */
const pictureInPicture = () => loadCallUi().then((callUi) => callUi.pictureInPicture());

/** By default the server is wherever this module was loaded from, e.g. `https://meet.example.com/parley.js`. */
const defaultServer = new URL(import.meta.url).origin;

/**
 * A whole meeting in one element: the "ready to join?" screen (camera preview, microphone meter, devices, name),
 * then everyone's video, the controls, and chat, participants and device settings panels.
 *
 * ```html
 * <script type="module" src="https://meet.example.com/parley.js"></script>
 * <meeting-room code="abcd-efgh-jkmn" name="Ada" autojoin></meeting-room>
 * ```
 *
 * @fires parley-joined - You are in the meeting. `detail`: `meetingCode`, `participantId`.
 * @fires parley-left - You left, or the connection was lost. `detail`: `reason`.
 * @fires parley-participant-joined - Someone else joined. `detail`: `participant`.
 * @fires parley-participant-left - Someone else left. `detail`: `participant`, `reason`.
 * @fires parley-media-changed - Someone's (or your) microphone or camera went on or off.
 *   `detail`: `participant`, `audioEnabled`, `videoEnabled`.
 * @fires parley-hand-raised - Someone's hand (yours too) went up. `detail`: `participant`, `position` (its place in
 *   the queue, 1 first).
 * @fires parley-hand-lowered - Someone's hand (yours too) went down, or they left with it up. `detail`: `participant`.
 * @fires parley-error - Something failed. `detail`: `code` (an SDK `ErrorCode`), `message`.
 * @fires parley-end-meeting - You (a host) confirmed "End meeting for all". Cancelable: `preventDefault()` keeps
 *   the meeting going.
 * @fires parley-noise-suppression-changed - Your microphone's noise suppression went on (as you join, unless you
 *   turned it off last time, where the browser can) or off. `detail`: `enabled`.
 * @fires parley-exit - The way out of an end screen (`exit-url`) was chosen. `detail`: `url`, `reason` (the
 *   `parley-left` reason, or `join-failed`). Cancelable: `preventDefault()` stops the navigation, for a page that
 *   routes by itself.
 * @fires parley-reaction - Someone reacted (you too, once the server took it); shown over their tile and told to
 *   screen readers. `detail`: `participant`, `emoji`.
 * @fires parley-pip-opened - The picture-in-picture window opened (`openPictureInPicture()`, the controls' button, or
 *   the browser itself with `auto-pip`).
 * @fires parley-pip-closed - The picture-in-picture window closed: by the user, `closePictureInPicture()`, or leaving.
 * @fires parley-background-changed - Your background changed (`setBackground()`, or chosen in the prejoin screen or
 *   the settings), or went back to `none` because it could not start. `detail`: `background`.
 * @fires parley-recording-started - Someone (you too) started recording the meeting. `detail`: `participant`.
 * @fires parley-recording-stopped - Someone stopped recording, or left while recording. `detail`: `participant`;
 *   for your own recording also `blob` (the WebM file) and `fileName`, and it is cancelable: `preventDefault()` keeps
 *   the file from being saved as a download.
 *
 * Size: with no CSS from the page, as wide as its container and 16:9 of that tall (3:4 on phones), from 320 px (640
 * px when at most 900 px wide, so that two tiles stack) to the window's height. A `height` or `aspect-ratio` from the page replaces that.
 *
 * Keyboard, while focus is inside the meeting: Ctrl/⌘+D turns the microphone on or off, Ctrl/⌘+E the camera,
 * Escape closes the open panel. Opening a panel moves focus into it; closing it returns focus to its toggle.
 *
 * @attr lang - Language of the interface (`en`, `de`, `es`, `fr`, or one added with `registerTranslation`).
 *   Unset: the nearest `lang` around the element, e.g. `<html lang>`.
 *
 * @csspart grid - The `<participant-grid>`.
 * @csspart controls - The `<meeting-controls>`.
 * @csspart panel - The side panel (chat, participants or settings), while one is open.
 * @csspart panel-header - The side panel's title bar with its close button.
 * @csspart chat - The `<chat-panel>`, while open.
 * @csspart participants - The `<participant-list>`, while open.
 * @csspart settings - The `<device-settings>`, while open.
 * @csspart prejoin - The `<prejoin-screen>` shown before joining.
 * @csspart status - The message shown while joining, after leaving, or when joining failed with `autojoin`.
 * @csspart leave - The button that gives up waiting for a host (waiting room).
 * @csspart rejoin - Rejoin after leaving, or Try again after a failed `autojoin`.
 * @csspart exit - The way out of an end screen, with `exit-url`: a link to it.
 * @csspart notices - The `<meeting-notices>`: visible notices (someone waits to join, a host muted you, a device
 *   will not start, the invite link was copied) with their actions, just above the controls.
 * @csspart meeting-info - The row above the call with the meeting code and "Copy invite link" (unless `no-invite`).
 * @csspart copy-invite - The "Copy invite link" button.
 * @csspart reconnecting - The notice shown while the meeting server is out of reach (the call goes on).
 * @csspart recording - The "Recording" indicator, while anyone records the meeting.
 * @csspart announcer - The visually hidden live region that tells screen readers who joined, left or muted.
 *
 * @cssprop --parley-background - Background of the whole meeting.
 * @cssprop --parley-surface - Tile and button background.
 * @cssprop --parley-text - Text colour.
 * @cssprop --parley-muted-text - Secondary text (times, hints).
 * @cssprop --parley-accent - Accent colour (buttons, badges, focus rings).
 * @cssprop --parley-on-accent - Text and icons on the accent colour.
 * @cssprop --parley-danger - Colour of leave and of devices that are off.
 * @cssprop --parley-radius - Tile corner radius.
 * @cssprop --parley-gap - Space between tiles.
 * @cssprop --parley-font - Font family.
 *
 * @tag meeting-room
 */
export class MeetingRoom extends ParleyElement {
  /** Defined with this element: it renders them (see `ParleyElement.dependencies`). */
  static override dependencies = { 'prejoin-screen': PrejoinScreen };
  /** Shadow styles: the shared design tokens, then this element's own. Theme with `--parley-*` properties and `::part()`. */
  static override styles = [tokens, meetingRoomStyles];

  static override properties: PropertyDeclarations = {
    server: { reflect: true },
    code: { reflect: true },
    name: { reflect: true },
    hostKey: { reflect: true, attribute: 'host-key' },
    token: {},
    autojoin: { type: Boolean, reflect: true },
    theme: { reflect: true },
    exitUrl: { attribute: 'exit-url' },
    inviteUrl: { attribute: 'invite-url' },
    noInvite: { type: Boolean, attribute: 'no-invite' },
    noNoiseSuppression: { type: Boolean, attribute: 'no-noise-suppression' },
    waitingSound: { type: Boolean, attribute: 'waiting-sound' },
    iceTransportPolicy: { attribute: 'ice-transport-policy' },
    hide: { reflect: true },
    autoPip: { type: Boolean, attribute: 'auto-pip' },
    backgroundAssetsUrl: { attribute: 'background-assets-url' },
    background: { state: true },
    phase: { state: true },
    errorMessage: { state: true },
    leftReason: { state: true },
    announcement: { state: true },
    openPanel: { state: true },
    unreadCount: { state: true },
    serverAway: { state: true },
    recorded: { state: true },
    recordedBeforeJoin: { state: true },
  };

  /** URL of the Parley server. Default: the origin `parley.js` was loaded from. */
  server = defaultServer;

  /** The meeting code to join. */
  code = '';

  /** Your display name; pre-fills the name field. */
  name = '';

  /** The host key from `POST /api/meetings`, to join as host. */
  hostKey = '';

  /**
   * A participant token your backend signed, for servers that verify participants (`AUTH_TOKEN_SECRET` or
   * `AUTH_JWKS_URL`). Its name and role win over `name` and `host-key`.
   */
  token = '';

  /**
   * Join as soon as the element is in the page and has a `code` (set now or later), with camera and microphone on,
   * skipping the name prompt.
   */
  autojoin = false;

  /** `light` or `dark`; unset follows the system (`prefers-color-scheme`). */
  theme: 'light' | 'dark' | undefined;

  /**
   * Where the way out of every end screen (left, removed, ended, connection lost, a failed `autojoin`) leads, e.g.
   * your start page. Unset: no way out is shown but Rejoin where rejoining is possible. Choosing it fires
   * `parley-exit` first, which can cancel the navigation.
   */
  exitUrl = '';

  /** The link "Copy invite link" copies. Default: this meeting on the Parley server, `<server>/m/<code>`. */
  inviteUrl = '';

  /** Hides the meeting code and "Copy invite link" during the call. */
  noInvite = false;

  /**
   * Leaves noise suppression off as you join and hides its switch in the settings panel (`setNoiseSuppression()`
   * still turns it on).
   */
  noNoiseSuppression = false;

  /** For hosts: a short sound when someone starts waiting in the waiting room (off by default). */
  waitingSound = false;

  /**
   * Controls to leave out, space-separated: `hand` (raise hand), `reactions`, `pip` (picture in picture),
   * `background` (the background choice in the prejoin screen and the settings), `recording` (the record toggle).
   * Their methods (`raiseHand()`, `react()`, `openPictureInPicture()`, `setBackground()`, `startRecording()`…) still
   * work. The "Recording" indicator always shows: everyone must know.
   */
  hide = '';

  /**
   * The user's choice to have the picture-in-picture window open by itself when they switch away from the meeting's
   * tab. Only Chromium does that, and only once the user allowed the site automatic picture-in-picture: see
   * `openPictureInPicture()`. Read when joining.
   */
  autoPip = false;

  /**
   * Where background blur's MediaPipe files are (`selfie_segmentation.js`, its `.wasm`, `.tflite`…), for a site that
   * hosts its own copy. Default: the Parley server's `/parley-assets/selfie-segmentation/`.
   */
  backgroundAssetsUrl = '';

  /** The background in use: the one chosen last time on this site (a blur) until `setBackground()`. */
  private background: BackgroundChoice = rememberedBackground();
  /** Its effect, once loaded, for the room to apply as it joins. */
  #videoEffect: VideoEffect | null = null;
  /** Background changes one after another, so the last one asked for is the one that stays. */
  #backgroundChanges: Promise<unknown> = Promise.resolve();

  /**
   * `relay` sends all media through the TURN servers the Parley server hands out (and hides participants' IP
   * addresses from each other): a call then works through TURN or not at all, so a site can check that TURN carries
   * its calls. Default `all`. Read when joining; any other value refuses to join with `invalid-request`, rather than
   * quietly connecting some other way.
   */
  iceTransportPolicy: RTCIceTransportPolicy = 'all';

  private phase: Phase = 'prejoin';
  private errorMessage = '';
  private leftReason: LeaveReason = 'left';
  /** The latest announcement for screen readers: joins, leaves and microphone changes. */
  private announcement = '';
  private openPanel: PanelName | '' = '';
  /** Chat messages from others that arrived while the chat was closed. */
  private unreadCount = 0;
  /** The meeting server is out of reach while the call goes on peer to peer. */
  private serverAway = false;
  /** Someone records the meeting: the indicator shows. */
  private recorded = false;
  /** The meeting the prejoin screen shows is being recorded (`Room.meetingInfo`). */
  private recordedBeforeJoin = false;
  /** This page's own recording, from its start: resolves to what stops it. */
  #recording: Promise<() => Promise<Recording>> | null = null;
  /** What a change of who records does here (from the call-ui chunk: see recording-events.ts), once joining. */
  #onRecording: ((state: RecordingState) => void) | undefined;

  /**
   * While the prejoin screen shows a meeting: the room Join will use, connected early with the SDK's `Room.connect()`
   * (see #warmUp), so the handshakes happen while the user looks at their preview, not after they click. Join takes
   * it; from then on the room is the one `#events` follows.
   */
  #spareRoom: Room | null = null;
  /** The `server` and `ice-transport-policy` the room connected early was made with: Join needs one with today's. */
  #warmOptions = '';
  /** What a change of the raised hands does here (from the call-ui chunk: see hand-events.ts), once joining. */
  #onHands: ((ids: readonly string[]) => void) | undefined;
  /** The microphone state last announced for each participant. */
  readonly #announcedAudio = new WeakMap<Participant, boolean>();
  /** The room joined (or being joined) and what its events do here. */
  readonly #events = new RoomEventsController<Room>((room) => ({
    joined: () => {
      if (this.autoPip) void pictureInPicture().then(({ openWhenHidden }) => openWhenHidden(this.#pipHost(room)), ignore);
      this.phase = 'joined';
      this.serverAway = false;
      dispatchParleyEvent(this, 'parley-joined', {
        meetingCode: room.meetingCode ?? '',
        participantId: room.localParticipant.id,
      });
      // On unless turned off last time (and not if left meanwhile); a browser that cannot just stays without it.
      void import('../../noise-suppression.js')
        .then(
          (noise) =>
            !this.noNoiseSuppression &&
            room.inMeeting &&
            noise.rememberedNoiseSuppression() &&
            noise.setNoiseSuppression(this, room, true, false),
        )
        .catch(ignore);
    },
    left: (reason) => {
      this.#hadFocus = this.matches(':focus-within');
      this.serverAway = false;
      this.phase = 'left';
      this.leftReason = reason;
      dispatchParleyEvent(this, 'parley-left', { reason });
    },
    'participant-joined': (participant) => {
      this.#announcedAudio.set(participant, participant.audioEnabled);
      this.announcement = this.text.joined(participant.name);
      dispatchParleyEvent(this, 'parley-participant-joined', { participant });
    },
    'participant-left': (participant, reason) => {
      this.announcement = this.text.left(participant.name);
      dispatchParleyEvent(this, 'parley-participant-left', { participant, reason });
    },
    'media-changed': (participant) => {
      // Only microphone changes are announced: they decide whether someone can be heard.
      if (!participant.isLocal && this.#announcedAudio.get(participant) !== participant.audioEnabled) {
        this.announcement = participant.audioEnabled
          ? this.text.microphoneOnFor(participant.name)
          : this.text.microphoneOffFor(participant.name);
      }
      this.#announcedAudio.set(participant, participant.audioEnabled);
      dispatchParleyEvent(this, 'parley-media-changed', {
        participant,
        audioEnabled: participant.audioEnabled,
        videoEnabled: participant.videoEnabled,
      });
    },
    error: (error) => dispatchParleyEvent(this, 'parley-error', errorDetail(error)),
    reconnecting: () => {
      this.serverAway = true;
    },
    reconnected: () => {
      this.serverAway = false;
    },
    waiting: () => {
      this.phase = 'waiting';
    },
    'mute-requested': (by) => {
      this.announcement = this.text.mutedByHost(by?.name ?? this.text.host);
    },
    'waiting-list-changed': (waiting) => {
      const newest = waiting.at(-1);
      if (newest) this.announcement = this.text.someoneWaiting(newest.name);
    },
    'hands-changed': (ids) => this.#onHands?.(ids),
    'recording-changed': (state) => {
      this.recorded = state.recorders.length > 0;
      this.#onRecording?.(state);
    },
    'chat-message': (message) => {
      if (this.openPanel !== 'chat' && message.senderId !== room.localParticipant.id) this.unreadCount += 1;
    },
    reaction: (participant, emoji) => {
      // Your own is shown on your tile; you know you sent it.
      if (!participant.isLocal) this.announcement = this.text.reacted(participant.name, emoji);
      dispatchParleyEvent(this, 'parley-reaction', { participant, emoji });
    },
  }));
  #unbindNotices: (() => void) | null = null;
  /** Whether focus was inside this element when joining or leaving began. */
  #hadFocus = false;
  /** Set while joining with media handed over by the prejoin screen, which stays on screen (busy) meanwhile. */
  #joiningFromPrejoin = false;
  /** Set when this page's host confirmed "End meeting for all": its end screen says "You ended the meeting". */
  #endedByYou = false;
  /** What the visible notices (room-notices.ts) need of this element. */
  readonly #noticesHost: RoomNoticesHost = {
    notices: () => this.notices,
    text: () => this.text,
    waitingSound: () => this.waitingSound,
    seeWaitingRoom: () => this.#openPanel('participants'),
    rendered: () => this.updateComplete,
    announce: (message) => (this.announcement = message),
  };

  private get notices(): MeetingNotices | null {
    return this.renderRoot?.querySelector('meeting-notices') ?? null;
  }

  private get prejoin(): PrejoinScreen | null {
    return this.renderRoot?.querySelector('prejoin-screen') as PrejoinScreen | null;
  }

  /** The SDK `Room` this element drives; `null` until `join()` is called. */
  get room(): Room | null {
    return this.#events.room;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.addEventListener('keydown', this.#onKeyDown);
    // The first update joins (see updated()); trying here too would try twice a join refused at once.
    if (this.hasUpdated) this.#autojoin();
    // Back in the page after a while out of it (a framework remounting it): connect again.
    this.#warmUp();
    // The call's elements are fetched while the prejoin screen shows, so a Join click finds them there.
    prefetchCallUi();
  }

  /** With `autojoin`, joins once the element is in the page and names a meeting, whichever comes last. */
  #autojoin(): void {
    if (this.autojoin && this.code && this.isConnected && this.phase === 'prejoin' && !this.#events.room) {
      // A failed join shows why, and fires `parley-error` (see #join).
      this.join().catch(ignore);
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.removeEventListener('keydown', this.#onKeyDown);
    // A moved element is reconnected in the same task; only one that stays out of the page leaves the meeting.
    queueMicrotask(() => {
      if (this.isConnected) return;
      this.#coolDown();
      // Safe at any time, and the room closes even with the server away: nothing can be left to do.
      this.leave().catch(ignore);
    });
  }

  /**
   * Joins the meeting named by `code`. While the prejoin screen shows, its preview and device choice are used;
   * otherwise the default camera and microphone. Rejects with the SDK's `ParleyError` (also fired as `parley-error`).
   */
  async join(): Promise<void> {
    const prejoin = this.prejoin;
    const media = prejoin?.takeMedia();
    await this.#join(media ? { ...media, name: prejoin!.name.trim() || this.name } : {});
  }

  async #join(options: Partial<JoinOptions> & { audioOutputDeviceId?: string }): Promise<void> {
    if (this.phase === 'joining' || this.phase === 'joined') return;
    // The room connected early, if any, made with today's `server` and policy: its join takes over the connection.
    this.#warmUp();
    const room = this.#spareRoom ?? this.#newRoom();
    this.#spareRoom = null;
    this.#bind(room);
    if (options.audioOutputDeviceId) room.audioOutputDeviceId = options.audioOutputDeviceId;
    this.errorMessage = '';
    this.#hadFocus = this.matches(':focus-within');
    this.#joiningFromPrejoin = options.stream !== undefined;
    this.phase = 'joining';
    try {
      if (!this.code) throw ParleyError.invalidState(this.text.errors['invalid-state']);
      const policy = this.iceTransportPolicy;
      if (policy !== 'all' && policy !== 'relay') {
        throw new ParleyError('invalid-request', `ice-transport-policy="${policy}": not "all" or "relay"`);
      }
      // Fetched since the element entered the page: the call renders with its elements defined. They come from where
      // this module came from, so failing to fetch them is that server being out of reach.
      const { handEvents, recordingEvents } = await loadCallUi().catch((cause: unknown) => {
        throw ParleyError.serverUnreachable(defaultServer, cause);
      });
      this.#onHands = handEvents(this, room, this.#noticesHost);
      // Kept by the room: applied to the camera as it joins, before anything is sent.
      await room.localParticipant.setVideoEffect(this.#videoEffect);
      // A host took the permission back, or this page left: the recording stops, and its file is saved.
      this.#onRecording = recordingEvents(this, room, this.#noticesHost, () => void this.stopRecording().catch(this.#report));
      await room.join({
        code: this.code,
        name: (options.name ?? this.name).trim() || this.text.defaultName,
        hostKey: this.hostKey || undefined,
        token: this.token || undefined,
        audio: options.audio,
        video: options.video,
        stream: options.stream,
      });
    } catch (error) {
      if (this.#events.room === room) {
        this.#bind(null);
        // A room taken over from the prejoin may never have reached its join: it still holds its connection.
        room.leave().catch(ignore);
        this.phase = 'prejoin';
        this.errorMessage = this.#describe(error);
        dispatchParleyEvent(this, 'parley-error', errorDetail(error));
      }
      throw error;
    }
  }

  /** Rejoin and Try again: a failed join shows why, and fires `parley-error` (see #join). */
  #rejoin = (): void => void this.join().catch(ignore);

  /** Leaves the meeting; camera and microphone are released. */
  async leave(): Promise<void> {
    await this.#events.room?.leave();
  }

  /** Turns the microphone on or off (toggles without an argument). Resolves to the new state. */
  toggleMicrophone(enabled?: boolean): Promise<boolean> {
    return this.#joinedRoom().toggleMicrophone(enabled);
  }

  /** Turns the camera on or off (toggles without an argument). Resolves to the new state. */
  toggleCamera(enabled?: boolean): Promise<boolean> {
    return this.#joinedRoom().toggleCamera(enabled);
  }

  /** Starts or stops sharing your screen. Resolves to whether you are sharing now. */
  toggleScreenShare(): Promise<boolean> {
    return this.#joinedRoom().toggleScreenShare();
  }

  /** Raises your hand: to the back of the meeting's queue (where it is, if it is up already). */
  raiseHand(): Promise<void> {
    return this.#joinedRoom().raiseHand();
  }

  /** Lowers your hand; as a host, someone else's too (by participant id). */
  lowerHand(participantId?: string): Promise<void> {
    return this.#joinedRoom().lowerHand(participantId);
  }

  /**
   * Shows `emoji` (one of `REACTIONS`) over your tile to everyone. A few at once, then about one a second: past that
   * it rejects with `rate-limited`.
   */
  react(emoji: Reaction): Promise<void> {
    return this.#joinedRoom().react(emoji);
  }

  /** Whether your microphone goes through noise suppression (RNNoise) now. */
  get noiseSuppression(): boolean {
    return !!this.#events.room?.localParticipant.noiseSuppression;
  }

  /**
   * Turns noise suppression of your microphone on or off, as the settings panel's switch does; the choice is
   * remembered on this site. Resolves to the new state; rejects with the SDK's `ParleyError` (`unsupported` where the
   * browser cannot), the microphone then sent as captured.
   */
  async setNoiseSuppression(on: boolean): Promise<boolean> {
    const room = this.#joinedRoom();
    return (await import('../../noise-suppression.js')).setNoiseSuppression(this, room, on);
  }

  /**
   * Opens the active speaker (following whoever speaks), their name and microphone and leave buttons in a window
   * above all others: Chromium's Document Picture-in-Picture, else the speaker's video in the browser's video
   * picture-in-picture. Needs a user gesture, as a click. Opening it again keeps the one open. Rejects with
   * `invalid-state` out of a meeting or where the browser has no picture-in-picture window.
   */
  async openPictureInPicture(): Promise<void> {
    const host = this.#pipHost(this.#joinedRoom());
    await (await pictureInPicture()).openPictureInPicture(host);
  }

  /** Closes the picture-in-picture window, if open. */
  async closePictureInPicture(): Promise<void> {
    (await pictureInPicture()).closePictureInPicture(this);
  }

  #pipHost(room: Room) {
    return { element: this, room, text: () => this.text };
  }

  /**
   * Shows `{ type: 'none' }`, a blur (`{ type: 'blur', strength: 'light' | 'strong' }`) or an image (`{ type:
   * 'image', url }`, from a CORS-enabled origin) behind you, in the preview and to everyone in the call; fires
   * `parley-background-changed`. A blur is remembered on this site. When the effect cannot start (its model or image
   * did not load) it rejects with `background-unavailable` and your camera goes on as it is.
   */
  setBackground(background: BackgroundChoice): Promise<void> {
    const change = this.#backgroundChanges.then(() => this.#applyBackground(background));
    this.#backgroundChanges = change.catch(ignore);
    return change;
  }

  async #applyBackground(background: BackgroundChoice): Promise<void> {
    const apply = (effect: VideoEffect | null) => {
      this.#videoEffect = effect;
      return Promise.all([this.prejoin?.setVideoEffect(effect), this.#events.room?.localParticipant.setVideoEffect(effect)]);
    };
    try {
      await apply(await videoEffectFor(background, this.backgroundAssetsUrl || new URL('/parley-assets/selfie-segmentation/', this.server).href));
    } catch (error) {
      await apply(null);
      this.#showBackground(BACKGROUND_OPTIONS.none);
      throw error instanceof ParleyError ? error : ParleyError.backgroundUnavailable('The background effect did not load', error);
    }
    rememberBackground(background);
    this.#showBackground(background);
  }

  #showBackground(background: BackgroundChoice): void {
    this.background = background;
    dispatchParleyEvent(this, 'parley-background-changed', { background });
  }

  #onBackgroundSelect = (event: CustomEvent<ParleyEventDetailMap['parley-background-select']>): void => {
    event.stopPropagation();
    this.setBackground(event.detail.background).catch((error: unknown) => dispatchParleyEvent(this, 'parley-error', errorDetail(error)));
  };

  protected override firstUpdated(changed: PropertyValues): void {
    super.firstUpdated(changed);
    // The blur chosen last time, on the preview from the start.
    if (this.background.type !== 'none') {
      this.setBackground(this.background).catch((error: unknown) => dispatchParleyEvent(this, 'parley-error', errorDetail(error)));
    }
  }

  /**
   * Records the meeting in this browser: everyone's video as a 1280×720 grid with names, and everyone's audio, to
   * WebM. Everyone sees "Recording" first. Rejects with `recording-not-allowed` unless you are a host or a host
   * allowed you (`allowRecording`).
   */
  async startRecording(): Promise<void> {
    const room = this.#joinedRoom();
    const starting = (this.#recording ??= import('../../recording/recording.js').then(async (recording) => {
      const recorder = await recording.startRecording(this, room);
      return () => recording.stopRecording(this, room, recorder);
    }));
    try {
      await starting;
    } catch (error) {
      if (this.#recording === starting) this.#recording = null;
      throw error;
    }
  }

  /**
   * Stops your recording and resolves to the file (`null` if you were not recording); `parley-recording-stopped`
   * carries it too, and unless a listener cancels that event the file is saved as a download.
   */
  async stopRecording(): Promise<Recording | null> {
    const stop = this.#recording;
    this.#recording = null;
    return stop ? (await stop)() : null;
  }

  /** Host: allows a participant (by id) to record the meeting, or takes it back (which stops their recording). */
  allowRecording(participantId: string, allowed = true): Promise<void> {
    return this.#joinedRoom().allowRecording(participantId, allowed);
  }

  protected override updated(changed: PropertyValues): void {
    super.updated(changed);
    // First: a room connected early goes once `autojoin` is set, and `#autojoin` joins only without a room.
    this.#warmUp();
    // Also when a framework or script sets the code after the element entered the page.
    if (changed.has('code') || changed.has('autojoin')) this.#autojoin();
    // Focus follows the user's journey: into the meeting once in, to Rejoin once out. Only when it was inside this
    // element: an embedding page's own focus is never taken.
    if (changed.has('phase') && changed.get('phase') !== undefined && this.#hadFocus) {
      if (this.phase === 'joined') void this.#focusControl('microphone');
      else if (this.phase === 'left') this.renderRoot.querySelector<HTMLElement>('[part~="rejoin"], [part~="exit"]')?.focus();
    }
  }

  /** Focuses a button of the controls (or More, where its menu holds it) once they have rendered. */
  async #focusControl(part: string): Promise<void> {
    const controls = this.renderRoot.querySelector('meeting-controls');
    await controls?.updateComplete;
    controls?.focusControl(part);
  }

  protected override render() {
    return html`${this.#renderPhase()}
      <div part="announcer" class="visually-hidden" role="status" aria-live="polite">${this.announcement}</div>`;
  }

  #renderPhase() {
    switch (this.phase) {
      case 'joined':
        return html`<div class="meeting">
          ${this.serverAway
            ? html`<div part="reconnecting" class="notice" role="status">
                <strong>${this.text.serverAway}</strong>
                <span>${this.text.serverAwayDetail}</span>
              </div>`
            : nothing}
          ${this.recorded
            ? html`<div part="recording" class="recording" role="status">● ${this.text.recording}</div>`
            : nothing}
          ${this.noInvite ? nothing : this.#renderMeetingInfo()}
          <div class="stage">
            <participant-grid part="grid" .room=${this.#events.room} @click=${this.#onGridClick}></participant-grid>
            ${this.#renderPanel()}
          </div>
          <meeting-notices part="notices"></meeting-notices>
          <meeting-controls
            part="controls"
            .room=${this.#events.room}
            ?hand=${!this.#hides('hand')}
            chat
            participants
            settings
            ?reactions=${!this.#hides('reactions')}
            ?pip=${!this.#hides('pip')}
            ?record=${!this.#hides('recording')}
            open-panel=${this.openPanel}
            unread-count=${this.unreadCount}
            @parley-panel-toggle=${this.#onPanelToggle}
            @parley-end-meeting=${this.#onEndMeeting}
            @parley-pip-request=${this.#onPipRequest}
            @parley-recording-toggle=${this.#onRecordingToggle}
            @parley-error=${this.#onControlError}
          ></meeting-controls>
        </div>`;
      case 'waiting':
        return html`<div part="status" class="status">
          <p role="status">${this.text.waitingForHost}</p>
          <button part="leave" @click=${() => this.leave()}>${this.text.leaveMeeting}</button>
        </div>`;
      case 'joining':
        return this.#joiningFromPrejoin
          ? this.#renderPrejoin(true)
          : html`<div part="status" class="status" role="status">${this.text.joining}</div>`;
      case 'left': {
        // Ended, expired or removed: there is no way back in, so no Rejoin.
        const reason = this.leftReason;
        const final = reason === 'ended' || reason === 'expired' || reason === 'removed';
        return html`<div part="status" class="status">
          <p role="status">${reason === 'ended' && this.#endedByYou ? this.text.youEndedMeeting : this.text.leftBecause[reason]}</p>
          <div class="status-actions">
            ${final
              ? nothing
              : html`<button part="rejoin" @click=${this.#rejoin}>${this.text.rejoin}</button>`}
            ${this.#renderExit(reason)}
          </div>
        </div>`;
      }
      case 'prejoin':
        // With autojoin a failed join shows why, with a way to try again, rather than a camera preview.
        return this.autojoin
          ? html`<div part="status" class="status">
              <p class="error" role="alert">${this.errorMessage}</p>
              <div class="status-actions">
                <button part="rejoin" @click=${this.#rejoin}>${this.text.tryAgain}</button>
                ${this.#renderExit('join-failed')}
              </div>
            </div>`
          : this.#renderPrejoin(false);
    }
  }

  /** The way out of an end screen, where the page said (`exit-url`); `parley-exit` lets the page route instead. */
  #renderExit(reason: ParleyEventDetailMap['parley-exit']['reason']) {
    const url = this.exitUrl;
    if (!url) return nothing;
    const onClick = (event: MouseEvent) => {
      if (!dispatchParleyEvent(this, 'parley-exit', { url, reason }, { cancelable: true })) event.preventDefault();
    };
    return html`<a part="exit" class="exit" href=${url} @click=${onClick}>${this.text.exitMeeting}</a>`;
  }

  /** The meeting's code and a way to invite others to it. */
  #renderMeetingInfo() {
    return html`<div part="meeting-info" class="meeting-info">
      <span class="visually-hidden">${this.text.meetingCodeLabel}</span>
      <span class="code">${this.#events.room?.meetingCode ?? this.code}</span>
      <button part="copy-invite" class="copy-invite" @click=${this.#copyInvite}>${this.text.copyInviteLink}</button>
    </div>`;
  }

  #copyInvite = async (): Promise<void> => {
    const code = this.#events.room?.meetingCode ?? this.code;
    const link = this.inviteUrl || new URL(`/m/${encodeURIComponent(code)}`, this.server).href;
    try {
      await navigator.clipboard.writeText(link);
      withNotices(this.#noticesHost, (notices) => notices.show({ id: 'invite', message: this.text.inviteLinkCopied, duration: 4000 }));
      this.announcement = this.text.inviteLinkCopied;
    } catch {
      // No clipboard (permissions, an insecure page): the link itself, to copy by hand.
      withNotices(this.#noticesHost, (notices) => notices.show({ id: 'invite', message: this.text.inviteLinkNotCopied, detail: link }));
    }
  };

  #renderPrejoin(busy: boolean) {
    return html`<prejoin-screen
      part="prejoin"
      meeting-code=${this.code}
      .name=${this.name || rememberedName()}
      .error=${this.errorMessage}
      ?recorded=${this.recordedBeforeJoin}
      ?busy=${busy}
      .background=${this.#hides('background') ? null : this.background}
      @parley-prejoin-submit=${this.#onPrejoinSubmit}
      @parley-background-select=${this.#onBackgroundSelect}
    ></prejoin-screen>`;
  }

  #renderPanel() {
    const panel = this.openPanel;
    if (!panel) return nothing;
    const [title, content] =
      panel === 'chat'
        ? [this.text.chat, html`<chat-panel part="chat" .room=${this.#events.room}></chat-panel>`]
        : panel === 'participants'
          ? [this.text.participants, html`<participant-list part="participants" .room=${this.#events.room}></participant-list>`]
          : [
              this.text.settings,
              html`<device-settings
                part="settings"
                .room=${this.#events.room}
                ?no-noise-suppression=${this.noNoiseSuppression}
                .background=${this.#hides('background') ? null : this.background}
                @parley-background-select=${this.#onBackgroundSelect}
              ></device-settings>`,
            ];
    return html`<aside part="panel" class="side" aria-labelledby="panel-title" tabindex="-1">
      <header part="panel-header">
        <h2 id="panel-title">${title}</h2>
        <button class="close" aria-label=${this.text.closePanel(title)} title=${this.text.closePanel(title)} @click=${this.#closePanel}>
          ${icon('close')}
        </button>
      </header>
      ${content}
    </aside>`;
  }

  #onPanelToggle = (event: CustomEvent<ParleyEventDetailMap['parley-panel-toggle']>): void => {
    event.stopPropagation();
    this.#openPanel(event.detail.open ? event.detail.panel : '');
  };

  #openPanel(panel: PanelName | ''): void {
    this.openPanel = panel;
    if (panel === 'chat') this.unreadCount = 0;
    if (!panel) return;
    panelModules[panel]().catch(this.#report);
    // Into the panel that opened, so that keyboard and screen reader users land where the content now is.
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('[part~="panel"]')?.focus());
  }

  /** Stop presenting takes its own button away: keep the keyboard in the meeting, on the share toggle. */
  #onGridClick = (event: MouseEvent): void => {
    const target = event.composedPath()[0];
    if (target instanceof Element && target.matches('[part~="stop-presenting"]')) void this.#focusControl('screen-share');
  };

  #onPipRequest = (): void => {
    this.openPictureInPicture().catch((error: unknown) => dispatchParleyEvent(this, 'parley-error', errorDetail(error)));
  };

  #onEndMeeting = (event: CustomEvent<ParleyEventDetailMap['parley-end-meeting']>): void => {
    // Let the page's own listeners decide first; only an end that goes ahead says "You ended the meeting".
    queueMicrotask(() => (this.#endedByYou = !event.defaultPrevented));
  };

  /** A microphone or camera that will not start: the user sees why and how to fix it. */
  #onControlError = (event: CustomEvent<ParleyEventDetailMap['parley-error']>): void => {
    // Any other failure of a control may be the end refused: then whoever ends the meeting later is not "you".
    if (!showDeviceProblem(this.#noticesHost, event.detail.code)) this.#endedByYou = false;
  };

  #onRecordingToggle = (event: CustomEvent<ParleyEventDetailMap['parley-recording-toggle']>): void => {
    event.stopPropagation();
    (event.detail.recording ? this.startRecording() : this.stopRecording()).catch(this.#report);
  };

  #report = (error: unknown): void => void dispatchParleyEvent(this, 'parley-error', errorDetail(error));

  #closePanel = (): void => {
    const panel = this.openPanel;
    this.openPanel = '';
    // Back to the toggle that opened it, so keyboard users keep their place.
    if (panel) void this.#focusControl(panel);
  };

  #onPrejoinSubmit = (event: CustomEvent<ParleyEventDetailMap['parley-prejoin-submit']>): void => {
    event.stopPropagation();
    const { name, ...media } = event.detail;
    this.name = name;
    // A failed join shows why on the prejoin screen, and fires `parley-error` (see #join).
    this.#join({ ...media, name }).catch(ignore);
  };

  /**
   * A failure in the interface's language when it has a known code, else the error's own message. A page's own
   * mistake (`invalid-request`) keeps the message too: it names what the developer got wrong.
   */
  #describe(error: unknown): string {
    const { code, message } = errorDetail(error);
    const text = (this.text.errors as Readonly<Record<string, string>>)[code];
    return code === 'invalid-request' ? `${text} ${message}` : (text ?? message);
  }

  /**
   * While the prejoin screen shows a meeting, makes the room Join will use and connects it early (`Room.connect()`),
   * once per server and policy; lets go of it when the prejoin no longer shows one.
   */
  #warmUp(): void {
    const options = this.#roomOptions();
    const wanted = this.phase === 'prejoin' && !this.autojoin && !!this.code && this.isConnected;
    if (!wanted || this.#warmOptions !== options) this.#coolDown();
    if (!wanted || this.#spareRoom) return;
    const room = (this.#spareRoom = this.#newRoom());
    this.#warmOptions = options;
    this.recordedBeforeJoin = false;
    // Connects early, and asks what to tell before joining; a code that is no meeting is for Join to report.
    room.meetingInfo(this.code, this.token || undefined).then(
      ({ recording }) => this.#spareRoom === room && (this.recordedBeforeJoin = recording),
      ignore,
    );
  }

  /** What a room is made of: one connected early with other options is not the one to join with. */
  #roomOptions(): string {
    return `${this.server} ${this.iceTransportPolicy}`;
  }

  #newRoom(): Room {
    return new Room({ server: this.server, iceTransportPolicy: this.iceTransportPolicy });
  }

  /** Closes the spare room's early connection, and lets go of it. */
  #coolDown(): void {
    // A room that never joined only closes its early connection: its leave() settles at once and cannot fail.
    void this.#spareRoom?.leave();
    this.#spareRoom = null;
  }

  /** Google Meet's shortcuts, while focus is in the meeting: Ctrl/⌘+D microphone, Ctrl/⌘+E camera. */
  #onKeyDown = (event: KeyboardEvent): void => {
    if (event.key === 'Escape' && this.openPanel) {
      this.#closePanel();
      return;
    }
    if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey || this.phase !== 'joined') return;
    const key = event.key.toLowerCase();
    const action = key === 'd' ? () => this.toggleMicrophone() : key === 'e' ? () => this.toggleCamera() : null;
    if (!action) return;
    event.preventDefault();
    action().catch(this.#report);
  };

  #hides(part: string): boolean {
    // A removed attribute makes the property null.
    return (this.hide || '').split(/\s+/).includes(part);
  }

  #joinedRoom(): Room {
    if (!this.#events.room?.inMeeting) {
      throw ParleyError.invalidState('Not in a meeting: call join() first');
    }
    return this.#events.room;
  }

  /** Follows `room`, or none: its events become `parley-*` DOM events, announcements and visible notices. */
  #bind(room: Room | null): void {
    this.#unbindNotices?.();
    this.#unbindNotices = room && bindRoomNotices(room, this.#noticesHost);
    this.#events.follow(room);
    this.#endedByYou = false;
    this.#onHands = undefined;
    this.#onRecording = undefined;
  }
}
