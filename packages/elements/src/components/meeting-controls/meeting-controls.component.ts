import { html, LitElement } from 'lit';
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
 *
 * @csspart microphone - The microphone toggle.
 * @csspart camera - The camera toggle.
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

  constructor() {
    super();
    new EmitterController<RoomEventMap>(this, () => this.room, ['media-changed', 'state-changed']);
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
    return html`
      <button
        part="microphone"
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
        aria-pressed=${cameraOn}
        aria-label=${cameraOn ? strings.turnOffCamera : strings.turnOnCamera}
        title=${cameraOn ? strings.turnOffCamera : strings.turnOnCamera}
        ?disabled=${disabled}
        @click=${() => this.#run((r) => r.toggleCamera())}
      >
        ${icon(cameraOn ? 'videocam' : 'videocamOff')}
      </button>
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

  #run(action: (room: Room) => Promise<unknown>): void {
    if (!this.room) return;
    action(this.room).catch((error: unknown) => dispatchParleyEvent(this, 'parley-error', errorDetail(error)));
  }
}
