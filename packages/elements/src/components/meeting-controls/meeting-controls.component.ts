import { html, LitElement, nothing } from 'lit';
import { property } from 'lit/decorators.js';
import type { Room, RoomEventMap } from '@parley/sdk';
import { EmitterController } from '../../controllers/emitter-controller.js';
import { dispatchParleyEvent, errorDetail } from '../../events.js';
import { icon } from '../../icons.js';
import { strings } from '../../strings.js';
import { tokens } from '../../styles/tokens.js';
import { meetingControlsStyles } from './meeting-controls.styles.js';

/**
 * Microphone, camera and leave buttons for a room. Usable on its own with any SDK `Room`.
 *
 * @fires parley-error - A button's action failed, e.g. the camera could not be started.
 * @fires parley-chat-toggle - The chat button was pressed. `detail.open`: whether the chat should open.
 *
 * @csspart microphone - The microphone toggle.
 * @csspart camera - The camera toggle.
 * @csspart screen-share - The screen share toggle.
 * @csspart chat - The chat toggle (with `chat` set).
 * @csspart unread - The unread-message count on the chat toggle.
 * @csspart leave - The leave button.
 *
 * @cssprop --parley-surface - Button background.
 * @cssprop --parley-danger - Background of the leave button and of devices that are off.
 *
 * @tag meeting-controls
 */
export class MeetingControls extends LitElement {
  static override styles = [tokens, meetingControlsStyles];

  /** The room these controls act on. */
  @property({ attribute: false }) room: Room | null = null;

  /** Whether the chat is open: the chat button shows it pressed. Without a chat, leave `chat` off. */
  @property({ type: Boolean, attribute: 'chat-open' }) chatOpen = false;

  /** Show the chat button (a host that renders a chat panel turns this on). */
  @property({ type: Boolean }) chat = false;

  /** Messages the user has not seen, shown on the chat button. */
  @property({ type: Number, attribute: 'unread-count' }) unreadCount = 0;

  constructor() {
    super();
    new EmitterController<RoomEventMap>(this, () => this.room, ['media-changed', 'state-changed', 'screen-share-changed']);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.setAttribute('role', 'toolbar');
    this.setAttribute('aria-label', strings.meetingControls);
  }

  protected override render() {
    const room = this.room;
    const local = room?.localParticipant;
    const disabled = room?.state !== 'joined' && room?.state !== 'reconnecting';
    const micOn = local?.audioEnabled ?? false;
    const cameraOn = local?.videoEnabled ?? false;
    const sharing = local?.screenSharing ?? false;
    return html`
      <button
        part="microphone"
        class="device"
        aria-pressed=${micOn}
        aria-label=${micOn ? strings.turnOffMicrophone : strings.turnOnMicrophone}
        title=${micOn ? strings.turnOffMicrophone : strings.turnOnMicrophone}
        ?disabled=${disabled}
        @click=${() => this.#run((r) => r.toggleMicrophone())}
      >
        ${icon(micOn ? 'mic' : 'micOff')}
      </button>
      <button
        part="camera"
        class="device"
        aria-pressed=${cameraOn}
        aria-label=${cameraOn ? strings.turnOffCamera : strings.turnOnCamera}
        title=${cameraOn ? strings.turnOffCamera : strings.turnOnCamera}
        ?disabled=${disabled}
        @click=${() => this.#run((r) => r.toggleCamera())}
      >
        ${icon(cameraOn ? 'videocam' : 'videocamOff')}
      </button>
      <button
        part="screen-share"
        aria-pressed=${sharing}
        aria-label=${sharing ? strings.stopSharing : strings.shareScreen}
        title=${sharing ? strings.stopSharing : strings.shareScreen}
        ?disabled=${disabled}
        @click=${() => this.#run((r) => r.toggleScreenShare())}
      >
        ${icon('screenShare')}
      </button>
      ${this.chat
        ? html`<button
            part="chat"
            aria-pressed=${this.chatOpen}
            aria-label=${this.unreadCount > 0
              ? `${this.chatOpen ? strings.closeChat : strings.openChat}, ${strings.unread(this.unreadCount)}`
              : this.chatOpen
                ? strings.closeChat
                : strings.openChat}
            title=${this.chatOpen ? strings.closeChat : strings.openChat}
            @click=${this.#toggleChat}
          >
            ${icon('chat')}
            ${this.unreadCount > 0
              ? html`<span part="unread" class="badge" aria-hidden="true">${Math.min(this.unreadCount, 99)}</span>`
              : nothing}
          </button>`
        : nothing}
      <button
        part="leave"
        class="leave"
        aria-label=${strings.leaveMeeting}
        title=${strings.leaveMeeting}
        ?disabled=${disabled}
        @click=${() => this.#run((r) => r.leave())}
      >
        ${icon('callEnd')}
      </button>
    `;
  }

  #toggleChat = (): void => {
    dispatchParleyEvent(this, 'parley-chat-toggle', { open: !this.chatOpen });
  };

  #run(action: (room: Room) => Promise<unknown>): void {
    if (!this.room) return;
    action(this.room).catch((error: unknown) => dispatchParleyEvent(this, 'parley-error', errorDetail(error)));
  }
}
