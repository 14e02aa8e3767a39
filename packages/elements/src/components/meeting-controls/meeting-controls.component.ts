import { html, nothing, type PropertyDeclarations, type PropertyValues } from 'lit';
import { REACTIONS, type Reaction, type RoomEventMap } from '@parley/sdk';
import { EmitterController } from '../../controllers/emitter-controller.js';
import { dispatchParleyEvent, errorDetail, type PanelName } from '../../events.js';
import { icon } from '../../call-icons.js';
import { ParleyElement } from '../../parley-element.js';
import type { RoomPart } from '../../room-like.js';
import { tokens } from '../../styles/tokens.js';
import { meetingControlsStyles } from './meeting-controls.styles.js';

/** What the controls use of a room. */
export type ControlledRoom = RoomPart<
  | 'inMeeting'
  | 'localParticipant'
  | 'waitingParticipants'
  | 'toggleMicrophone'
  | 'toggleCamera'
  | 'toggleScreenShare'
  | 'raiseHand'
  | 'lowerHand'
  | 'leave'
  | 'endMeeting'
  | 'react'
  | 'recording'
>;

/**
 * Microphone, camera, screen share, raise hand and leave buttons for a room, plus toggles for the side panels a host
 * page renders (chat, participants, settings). Usable on its own with any SDK `Room`.
 *
 * @fires parley-error - A button's action failed, e.g. the camera could not be started.
 * @fires parley-panel-toggle - A panel toggle was pressed. `detail`: `panel`, and `open` (what it should become).
 * @fires parley-pip-request - The picture-in-picture button was pressed (`<meeting-room>` opens its window).
 * @fires parley-recording-toggle - The record toggle was pressed. `detail`: `recording` (what it should become).
 * @fires parley-end-meeting - A host confirmed "End meeting for all". Cancelable: `preventDefault()` keeps the
 *   meeting going.
 *
 * @csspart microphone - The microphone toggle.
 * @csspart camera - The camera toggle.
 * @csspart screen-share - The screen share toggle (hidden where the browser cannot share a screen).
 * @csspart hand - The raise hand toggle (with `hand` set; `aria-pressed` while your hand is up).
 * @csspart record - The record toggle (with `record` set, for a host or someone a host allowed; `aria-pressed` while
 *   you record).
 * @csspart chat - The chat toggle (with `chat` set).
 * @csspart unread - The unread-message count on the chat toggle.
 * @csspart participants - The participants toggle (with `participants` set).
 * @csspart waiting - For hosts: how many people wait in the waiting room, on the participants toggle.
 * @csspart settings - The device settings toggle (with `settings` set).
 * @csspart picture-in-picture - The picture-in-picture button (with `pip` set; hidden where the browser has no
 *   picture-in-picture window).
 * @csspart leave - The leave button.
 * @csspart end-meeting - For hosts: ends the meeting for everyone, after a confirmation.
 * @csspart reactions - The reactions button (with `reactions` set): opens the emoji picker.
 * @csspart reaction-picker - The emoji picker above the controls, while open. Arrow keys move between its emoji,
 *   Enter sends one, Escape closes it; either way focus returns to the reactions button.
 * @csspart reaction-choice - One emoji in the picker.
 *
 * @cssprop --parley-surface - Button background.
 * @cssprop --parley-danger - Background of the leave button and of devices that are off.
 * @cssprop --parley-hand - Background of the raise hand toggle while your hand is up.
 * @cssprop --parley-recording - Background of the record toggle while you record, and of the "Recording" indicator.
 * @cssprop --parley-reaction-picker-background - Background of the emoji picker (default `--parley-surface`).
 *
 * @tag meeting-controls
 */
export class MeetingControls extends ParleyElement {
  /** Shadow styles: the shared design tokens, then this element's own. Theme with `--parley-*` properties and `::part()`. */
  static override styles = [tokens, meetingControlsStyles];

  static override properties: PropertyDeclarations = {
    room: { attribute: false },
    hand: { type: Boolean },
    chat: { type: Boolean },
    participants: { type: Boolean },
    settings: { type: Boolean },
    reactions: { type: Boolean },
    pip: { type: Boolean },
    record: { type: Boolean },
    pickerOpen: { state: true },
    openPanel: { attribute: 'open-panel' },
    unreadCount: { type: Number, attribute: 'unread-count' },
  };

  /** The room these controls act on. */
  room: ControlledRoom | null = null;

  /** Show the raise hand toggle. */
  hand = false;

  /** Show the chat toggle. */
  chat = false;

  /** Show the participants toggle. */
  participants = false;

  /** Show the device settings toggle. */
  settings = false;

  /** Show the reactions button. */
  reactions = false;

  /** Show the picture-in-picture button (where the browser has a picture-in-picture window). */
  pip = false;
  /** Show the record toggle, to those who may record (hosts, and those a host allowed). */
  record = false;

  /** The emoji picker is open. */
  private pickerOpen = false;

  /** The panel that is open, if any: its toggle shows pressed. */
  openPanel: PanelName | '' = '';

  /** Messages the user has not seen, shown on the chat toggle. */
  unreadCount = 0;

  constructor() {
    super();
    new EmitterController<RoomEventMap>(this, () => this.room, [
      'media-changed',
      'state-changed',
      'screen-share-changed',
      'host-changed',
      'waiting-list-changed',
      'hands-changed',
      'recording-changed',
    ]);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.setAttribute('role', 'toolbar');
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    this.setAttribute('aria-label', this.text.meetingControls);
  }

  protected override render() {
    const room = this.room;
    const local = room?.localParticipant;
    const disabled = !room?.inMeeting;
    const micOn = local?.audioEnabled ?? false;
    const cameraOn = local?.videoEnabled ?? false;
    const sharing = local?.screenSharing ?? false;
    const handRaised = local?.handRaised ?? false;
    const unread = this.unreadCount > 0 ? this.text.unread(this.unreadCount) : '';
    // Only hosts hear of the waiting room; the room keeps the list empty for everyone else.
    const waiting = room?.waitingParticipants.length ?? 0;
    return html`
      ${this.#button('microphone', this.text.microphone, micOn, 'device', disabled, () =>
        this.#run((r) => r.toggleMicrophone()),
        icon(micOn ? 'mic' : 'micOff'),
      )}
      ${this.#button('camera', this.text.camera, cameraOn, 'device', disabled, () =>
        this.#run((r) => r.toggleCamera()),
        icon(cameraOn ? 'videocam' : 'videocamOff'),
      )}
      ${canShareScreen()
        ? this.#button('screen-share', this.text.shareScreen, sharing, '', disabled, () =>
            this.#run((r) => r.toggleScreenShare()),
            icon('screenShare'),
          )
        : nothing}
      ${this.hand
        ? this.#button('hand', this.text.raiseHand, handRaised, 'hand', disabled, () =>
            this.#run((r) => (handRaised ? r.lowerHand() : r.raiseHand())),
            icon('hand'),
          )
        : nothing}
      ${this.reactions ? this.#renderReactions(disabled) : nothing}
      ${this.record && room && local && (local.isHost || room.recording.allowed.includes(local.id))
        ? this.#renderRecord(room.recording.recorders.includes(local.id), disabled)
        : nothing}
      ${this.chat
        ? this.#panelToggle(
            'chat',
            [this.text.chatToggle, unread].filter(Boolean).join(', '),
            icon('chat'),
            this.unreadCount > 0
              ? html`<span part="unread" class="badge" aria-hidden="true">${Math.min(this.unreadCount, 99)}</span>`
              : nothing,
          )
        : nothing}
      ${this.participants
        ? this.#panelToggle(
            'participants',
            waiting ? `${this.text.participants}, ${this.text.waitingCount(waiting)}` : this.text.participants,
            icon('people'),
            waiting > 0 ? html`<span part="waiting" class="badge" aria-hidden="true">${Math.min(waiting, 99)}</span>` : nothing,
          )
        : nothing}
      ${this.settings ? this.#panelToggle('settings', this.text.settings, icon('tune')) : nothing}
      ${this.pip && canPictureInPicture()
        ? this.#button('picture-in-picture', this.text.pictureInPicture, undefined, '', disabled, () =>
            dispatchParleyEvent(this, 'parley-pip-request', {}),
            icon('pictureInPicture'),
          )
        : nothing}
      ${this.#button('leave', this.text.leaveMeeting, undefined, 'leave', disabled, () => this.#run((r) => r.leave()), icon('callEnd'))}
      ${local?.isHost
        ? this.#button('end-meeting', this.text.endMeeting, undefined, 'end', disabled, () => void this.#endMeeting(), this.text.endMeeting)
        : nothing}
    `;
  }

  /** The record toggle: the recording itself is the page's (`parley-recording-toggle`), e.g. `<meeting-room>`'s. */
  #renderRecord(recording: boolean, disabled: boolean) {
    return this.#button('record', this.text.startRecording, recording, 'record', disabled, () =>
      dispatchParleyEvent(this, 'parley-recording-toggle', { recording: !recording }),
      icon('record'),
    );
  }

  /** The reactions button, and above the controls while open, its picker: a menu of emoji (see `@csspart`). */
  #renderReactions(disabled: boolean) {
    const label = this.text.sendReaction;
    return html`<button
        part="reactions"
        aria-haspopup="menu"
        aria-expanded=${String(this.pickerOpen)}
        aria-label=${label}
        title=${label}
        ?disabled=${disabled}
        @click=${() => this.#setPicker(!this.pickerOpen)}
      >
        ${icon('mood')}
      </button>
      ${this.pickerOpen && !disabled
        ? html`<div part="reaction-picker" class="picker" role="menu" aria-label=${label} @keydown=${this.#onPickerKey} @focusout=${this.#onPickerFocusOut}>
            ${REACTIONS.map(
              (emoji, index) =>
                html`<button part="reaction-choice" role="menuitem" tabindex=${index === 0 ? 0 : -1} @click=${() => this.#react(emoji)}>${emoji}</button>`,
            )}
          </div>`
        : nothing}`;
  }

  /** Opens the picker with focus on its first emoji, or closes it (focus back on the reactions button if asked). */
  async #setPicker(open: boolean, refocus = false): Promise<void> {
    this.pickerOpen = open;
    await this.updateComplete;
    const target = open ? '[part~="reaction-choice"]' : refocus ? '[part~="reactions"]' : '';
    if (target) this.renderRoot.querySelector<HTMLElement>(target)?.focus();
  }

  #react(emoji: Reaction): void {
    void this.#setPicker(false, true);
    // Past the allowance the SDK refuses at once without asking the server: a click too many is simply not sent.
    this.room?.react(emoji).catch((error: unknown) => {
      const detail = errorDetail(error);
      if (detail.code !== 'rate-limited') dispatchParleyEvent(this, 'parley-error', detail);
    });
  }

  /** A menu's keys: arrows move (and wrap), Home and End jump, Escape closes; Enter and Space press the emoji. */
  #onPickerKey = (event: KeyboardEvent): void => {
    const choices = [...this.renderRoot.querySelectorAll<HTMLElement>('[part~="reaction-choice"]')];
    const current = choices.indexOf(event.composedPath()[0] as HTMLElement);
    const step = ARROW_STEPS[event.key];
    const next = step ? current + step : event.key === 'Home' ? 0 : event.key === 'End' ? -1 : undefined;
    if (event.key === 'Escape') {
      // The room would close its open panel on the same Escape: this one is the picker's alone.
      event.stopPropagation();
      void this.#setPicker(false, true);
    } else if (next !== undefined) {
      const choice = choices.at(next % choices.length)!;
      for (const other of choices) other.tabIndex = other === choice ? 0 : -1;
      choice.focus();
    } else {
      return;
    }
    event.preventDefault();
  };

  /** Focus leaving the picker closes it, unless it goes to the reactions button, whose click closes it. */
  #onPickerFocusOut = (event: FocusEvent): void => {
    const to = event.relatedTarget as Element | null;
    if (!to?.closest('[part~="reaction-picker"], [part~="reactions"]')) this.pickerOpen = false;
  };

  #panelToggle(panel: PanelName, label: string, ...content: unknown[]) {
    const open = this.openPanel === panel;
    return this.#button(panel, label, open, '', false, () =>
      dispatchParleyEvent(this, 'parley-panel-toggle', { panel, open: !open }),
      content,
    );
  }

  /** A button; a toggle (`pressed` set) keeps one label and tells its state by `aria-pressed` alone. */
  #button(
    part: string,
    label: string,
    pressed: boolean | undefined,
    kind: string,
    disabled: boolean,
    onClick: () => void,
    ...content: unknown[]
  ) {
    return html`<button
      part=${part}
      class=${kind}
      aria-pressed=${pressed === undefined ? nothing : String(pressed)}
      aria-label=${label}
      title=${label}
      ?disabled=${disabled}
      @click=${onClick}
    >
      ${content}
    </button>`;
  }

  /** Ends the meeting for all once the host confirmed it (the dialog is a chunk fetched on first use). */
  async #endMeeting(): Promise<void> {
    try {
      const { confirmAction } = await import('../confirm-dialog/confirm-dialog.js');
      const text = this.text;
      const confirmed = await confirmAction(this, { heading: text.confirmEndTitle, message: text.confirmEndText, confirmLabel: text.endMeeting });
      if (confirmed && dispatchParleyEvent(this, 'parley-end-meeting', {}, { cancelable: true })) this.#run((r) => r.endMeeting());
    } catch (error) {
      dispatchParleyEvent(this, 'parley-error', errorDetail(error));
    }
  }

  #run(action: (room: ControlledRoom) => Promise<unknown>): void {
    if (!this.room) return;
    action(this.room).catch((error: unknown) => dispatchParleyEvent(this, 'parley-error', errorDetail(error)));
  }
}

/** How the arrow keys move through the emoji picker: it is one row, so both pairs work. */
const ARROW_STEPS: Partial<Record<string, number>> = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };

/** Chromium's Document Picture-in-Picture, or the video one (Safari; Firefox has none a page can open). */
function canPictureInPicture(): boolean {
  return globalThis.documentPictureInPicture !== undefined || document.pictureInPictureEnabled === true;
}

/** Phones and some embedded browsers cannot capture a screen: no button that cannot work. */
function canShareScreen(): boolean {
  return typeof navigator.mediaDevices?.getDisplayMedia === 'function';
}
