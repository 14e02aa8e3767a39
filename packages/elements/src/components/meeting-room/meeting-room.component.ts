import { html, LitElement, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { ParleyError, Room, type LeaveReason, type Participant, type RoomEventMap } from '@parley/sdk';
import { dispatchParleyEvent, errorDetail, type ParleyEventDetailMap } from '../../events.js';
import { strings } from '../../strings.js';
import { tokens } from '../../styles/tokens.js';
import '../chat-panel/chat-panel.js';
import '../meeting-controls/meeting-controls.js';
import '../participant-grid/participant-grid.js';
import { meetingRoomStyles } from './meeting-room.styles.js';

type Phase = 'prejoin' | 'joining' | 'joined' | 'left';

/** By default the server is wherever this module was loaded from, e.g. `https://meet.example.com/parley.js`. */
const defaultServer = new URL(import.meta.url).origin;

/**
 * A whole meeting in one element: a name prompt, then everyone's video, and the controls.
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
 * @fires parley-error - Something failed. `detail`: `code` (an SDK `ErrorCode`), `message`.
 *
 * Keyboard, while focus is inside the meeting: Ctrl/⌘+D turns the microphone on or off, Ctrl/⌘+E the camera.
 *
 * @csspart grid - The `<participant-grid>`.
 * @csspart controls - The `<meeting-controls>`.
 * @csspart chat - The `<chat-panel>`, while open.
 * @csspart prejoin - The form shown before joining.
 * @csspart announcer - The visually hidden live region that tells screen readers who joined, left or muted.
 *
 * @cssprop --parley-background - Background of the whole meeting.
 * @cssprop --parley-surface - Tile and button background.
 * @cssprop --parley-text - Text colour.
 * @cssprop --parley-accent - Accent colour (buttons, badges, focus rings).
 * @cssprop --parley-danger - Colour of leave and of devices that are off.
 * @cssprop --parley-radius - Tile corner radius.
 * @cssprop --parley-gap - Space between tiles.
 * @cssprop --parley-font - Font family.
 *
 * @tag meeting-room
 */
export class MeetingRoom extends LitElement {
  static override styles = [tokens, meetingRoomStyles];

  /** URL of the Parley server. Default: the origin `parley.js` was loaded from. */
  @property({ reflect: true }) server = defaultServer;

  /** The meeting code to join. */
  @property({ reflect: true }) code = '';

  /** Your display name; pre-fills the name field. */
  @property({ reflect: true }) name = '';

  /** The host key from `POST /api/meetings`, to join as host. */
  @property({ reflect: true, attribute: 'host-key' }) hostKey = '';

  /** Join as soon as the element is connected, with camera and microphone on, skipping the name prompt. */
  @property({ type: Boolean, reflect: true }) autojoin = false;

  /** `light` or `dark`; unset follows the system (`prefers-color-scheme`). */
  @property({ reflect: true }) theme: 'light' | 'dark' | undefined;

  @state() private phase: Phase = 'prejoin';
  @state() private errorMessage = '';
  @state() private leftReason: LeaveReason = 'left';
  /** The latest announcement for screen readers: joins, leaves and microphone changes. */
  @state() private announcement = '';
  @state() private chatOpen = false;
  /** Chat messages from others that arrived while the chat was closed. */
  @state() private unreadCount = 0;

  #room: Room | null = null;
  /** The microphone state last announced for each participant. */
  readonly #announcedAudio = new WeakMap<Participant, boolean>();
  #unbind: (() => void) | null = null;

  /** The SDK `Room` this element drives; `null` until `join()` is called. */
  get room(): Room | null {
    return this.#room;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.addEventListener('keydown', this.#onKeyDown);
    if (this.autojoin && this.phase === 'prejoin' && !this.#room) this.join().catch(() => undefined);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.removeEventListener('keydown', this.#onKeyDown);
    // A moved element is reconnected in the same task; only one that stays out of the page leaves the meeting.
    queueMicrotask(() => {
      if (!this.isConnected) this.leave().catch(() => undefined);
    });
  }

  /** Joins the meeting named by `code`. Rejects with the SDK's `ParleyError` (also fired as `parley-error`). */
  async join(): Promise<void> {
    if (this.phase === 'joining' || this.phase === 'joined') return;
    const room = new Room({ server: this.server });
    this.#bind(room);
    this.errorMessage = '';
    this.phase = 'joining';
    try {
      if (!this.code) throw ParleyError.invalidState(strings.missingCode);
      await room.join({
        code: this.code,
        name: this.name.trim() || strings.defaultName,
        hostKey: this.hostKey || undefined,
      });
    } catch (error) {
      if (this.#room === room) {
        this.#unbind?.();
        this.#room = null;
        this.phase = 'prejoin';
        this.errorMessage = errorDetail(error).message;
        dispatchParleyEvent(this, 'parley-error', errorDetail(error));
      }
      throw error;
    }
  }

  /** Leaves the meeting; camera and microphone are released. */
  async leave(): Promise<void> {
    await this.#room?.leave();
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

  protected override render() {
    return html`${this.#renderPhase()}
      <div part="announcer" class="visually-hidden" role="status" aria-live="polite">${this.announcement}</div>`;
  }

  #renderPhase() {
    switch (this.phase) {
      case 'joined':
        return html`<div class="meeting">
          <div class="stage">
            <participant-grid part="grid" .room=${this.#room}></participant-grid>
            ${this.chatOpen ? html`<chat-panel part="chat" .room=${this.#room}></chat-panel>` : nothing}
          </div>
          <meeting-controls
            part="controls"
            .room=${this.#room}
            chat
            ?chat-open=${this.chatOpen}
            unread-count=${this.unreadCount}
            @parley-chat-toggle=${this.#onChatToggle}
          ></meeting-controls>
        </div>`;
      case 'joining':
        return html`<div class="panel" role="status">${strings.joining}</div>`;
      case 'left':
        return html`<div class="panel">
          <p role="status">${this.leftReason === 'left' ? strings.youLeft : strings.connectionLost}</p>
          <button @click=${() => this.join().catch(() => undefined)}>${strings.rejoin}</button>
        </div>`;
      case 'prejoin':
        return html`<div class="panel">
          <form part="prejoin" @submit=${this.#onSubmit}>
            <label>
              ${strings.yourName}
              <input name="name" .value=${this.name} maxlength="64" autocomplete="name" required />
            </label>
            <button type="submit">${strings.joinMeeting}</button>
            ${this.errorMessage ? html`<p class="error" role="alert">${this.errorMessage}</p>` : nothing}
          </form>
        </div>`;
    }
  }

  #onChatToggle = (event: CustomEvent<ParleyEventDetailMap['parley-chat-toggle']>): void => {
    event.stopPropagation();
    this.chatOpen = event.detail.open;
    if (this.chatOpen) this.unreadCount = 0;
  };

  /** Google Meet's shortcuts, while focus is in the meeting: Ctrl/⌘+D microphone, Ctrl/⌘+E camera. */
  #onKeyDown = (event: KeyboardEvent): void => {
    if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey || this.phase !== 'joined') return;
    const key = event.key.toLowerCase();
    const action = key === 'd' ? () => this.toggleMicrophone() : key === 'e' ? () => this.toggleCamera() : null;
    if (!action) return;
    event.preventDefault();
    action().catch((error: unknown) => dispatchParleyEvent(this, 'parley-error', errorDetail(error)));
  };

  #onSubmit = (event: SubmitEvent): void => {
    event.preventDefault();
    const input = (event.currentTarget as HTMLFormElement).elements.namedItem('name') as HTMLInputElement;
    this.name = input.value;
    this.join().catch(() => undefined);
  };

  #joinedRoom(): Room {
    if (!this.#room || (this.#room.state !== 'joined' && this.#room.state !== 'reconnecting')) {
      throw ParleyError.invalidState('Not in a meeting: call join() first');
    }
    return this.#room;
  }

  /** Mirrors the room's events as `parley-*` DOM events. */
  #bind(room: Room): void {
    this.#unbind?.();
    this.#room = room;
    const listeners: Partial<RoomEventMap> = {
      joined: () => {
        this.phase = 'joined';
        dispatchParleyEvent(this, 'parley-joined', {
          meetingCode: room.meetingCode ?? '',
          participantId: room.localParticipant.id,
        });
      },
      left: (reason) => {
        this.phase = 'left';
        this.leftReason = reason;
        dispatchParleyEvent(this, 'parley-left', { reason });
      },
      'participant-joined': (participant) => {
        this.#announcedAudio.set(participant, participant.audioEnabled);
        this.announcement = strings.joined(participant.name);
        dispatchParleyEvent(this, 'parley-participant-joined', { participant });
      },
      'participant-left': (participant, reason) => {
        this.announcement = strings.left(participant.name);
        dispatchParleyEvent(this, 'parley-participant-left', { participant, reason });
      },
      'media-changed': (participant) => {
        // Only microphone changes are announced: they decide whether someone can be heard.
        if (!participant.isLocal && this.#announcedAudio.get(participant) !== participant.audioEnabled) {
          this.announcement = participant.audioEnabled
            ? strings.microphoneOnFor(participant.name)
            : strings.microphoneOffFor(participant.name);
        }
        this.#announcedAudio.set(participant, participant.audioEnabled);
        dispatchParleyEvent(this, 'parley-media-changed', {
          participant,
          audioEnabled: participant.audioEnabled,
          videoEnabled: participant.videoEnabled,
        });
      },
      error: (error) => dispatchParleyEvent(this, 'parley-error', errorDetail(error)),
      'chat-message': (message) => {
        if (!this.chatOpen && message.senderId !== room.localParticipant.id) this.unreadCount += 1;
      },
    };
    const entries = Object.entries(listeners) as [keyof RoomEventMap, RoomEventMap[keyof RoomEventMap]][];
    for (const [event, listener] of entries) room.on(event, listener);
    this.#unbind = () => {
      for (const [event, listener] of entries) room.off(event, listener);
      this.#unbind = null;
    };
  }
}
