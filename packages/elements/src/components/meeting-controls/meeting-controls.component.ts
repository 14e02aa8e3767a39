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
 * @csspart more - In a meeting narrower than 480 px (a phone): the button that opens a menu of the controls that no
 *   longer fit on one row (screen share, reactions, record, settings, picture in picture, End meeting for all), which
 *   are then hidden from the row.
 * @csspart more-menu - That menu, above the controls, while open. Arrow keys move between its items, Escape closes it;
 *   focus returns to the More button.
 * @csspart menu-item - One item of that menu: its icon and its label (toggles say their state with `aria-checked`).
 *
 * @cssprop --parley-surface - Button background.
 * @cssprop --parley-danger - Background of the leave button and of devices that are off.
 * @cssprop --parley-hand - Background of the raise hand toggle while your hand is up.
 * @cssprop --parley-recording - Background of the record toggle while you record, and of the "Recording" indicator.
 * @cssprop --parley-reaction-picker-background - Background of the emoji picker (default `--parley-surface`).
 * @cssprop --parley-menu-background - Background of the More menu (default `--parley-surface`).
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
    menuOpen: { state: true },
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

  /** The More menu is open. */
  private menuOpen = false;

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
    const handRaised = local?.handRaised ?? false;
    const unread = this.unreadCount > 0 ? this.text.unread(this.unreadCount) : '';
    // Only hosts hear of the waiting room; the room keeps the list empty for everyone else.
    const waiting = room?.waitingParticipants.length ?? 0;
    const extras = this.#extras(disabled);
    const inline = (part: string) => {
      const extra = extras.find((candidate) => candidate.part === part);
      if (!extra) return nothing;
      if (part === 'reactions') return this.#renderReactions(disabled);
      return this.#button(part, extra.label, extra.pressed, `${extra.kind ?? ''} secondary`, extra.disabled, extra.run, extra.content);
    };
    return html`
      ${this.#button('microphone', this.text.microphone, micOn, 'device', disabled, () =>
        this.#run((r) => r.toggleMicrophone()),
        icon(micOn ? 'mic' : 'micOff'),
      )}
      ${this.#button('camera', this.text.camera, cameraOn, 'device', disabled, () =>
        this.#run((r) => r.toggleCamera()),
        icon(cameraOn ? 'videocam' : 'videocamOff'),
      )}
      ${inline('screen-share')}
      ${this.hand
        ? this.#button('hand', this.text.raiseHand, handRaised, 'hand', disabled, () =>
            this.#run((r) => (handRaised ? r.lowerHand() : r.raiseHand())),
            icon('hand'),
          )
        : nothing}
      ${inline('reactions')} ${inline('record')}
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
      ${inline('settings')} ${inline('picture-in-picture')} ${extras.length > 0 ? this.#renderMore(extras) : nothing}
      ${this.#button('leave', this.text.leaveMeeting, undefined, 'leave', disabled, () => this.#run((r) => r.leave()), icon('callEnd'))}
      ${inline('end-meeting')}
    `;
  }

  /**
   * The controls a narrow meeting moves from the row into the More menu, in the row's order: each shown inline as a
   * button, and in the menu as an item, from this one description.
   */
  #extras(disabled: boolean): Extra[] {
    const room = this.room;
    const local = room?.localParticipant;
    const extras: Extra[] = [];
    if (canShareScreen()) {
      extras.push({
        part: 'screen-share',
        label: this.text.shareScreen,
        content: icon('screenShare'),
        pressed: local?.screenSharing ?? false,
        disabled,
        run: () => this.#run((r) => r.toggleScreenShare()),
      });
    }
    if (this.reactions) {
      extras.push({ part: 'reactions', label: this.text.sendReaction, content: icon('mood'), disabled, run: () => void this.#setPicker(true) });
    }
    if (this.record && room && local && (local.isHost || room.recording.allowed.includes(local.id))) {
      // The recording itself is the page's (`parley-recording-toggle`), e.g. `<meeting-room>`'s.
      const recording = room.recording.recorders.includes(local.id);
      extras.push({
        part: 'record',
        label: this.text.startRecording,
        content: icon('record'),
        pressed: recording,
        kind: 'record',
        disabled,
        run: () => dispatchParleyEvent(this, 'parley-recording-toggle', { recording: !recording }),
      });
    }
    if (this.settings) {
      const open = this.openPanel === 'settings';
      extras.push({
        part: 'settings',
        label: this.text.settings,
        content: icon('tune'),
        pressed: open,
        disabled: false,
        run: () => dispatchParleyEvent(this, 'parley-panel-toggle', { panel: 'settings', open: !open }),
      });
    }
    if (this.pip && canPictureInPicture()) {
      extras.push({
        part: 'picture-in-picture',
        label: this.text.pictureInPicture,
        content: icon('pictureInPicture'),
        disabled,
        run: () => dispatchParleyEvent(this, 'parley-pip-request', {}),
      });
    }
    if (local?.isHost) {
      extras.push({ part: 'end-meeting', label: this.text.endMeeting, content: this.text.endMeeting, kind: 'end', disabled, run: () => void this.#endMeeting() });
    }
    return extras;
  }

  /** The More button, and above the controls while open, its menu of the extras (see `@csspart more`). */
  #renderMore(extras: Extra[]) {
    const label = this.text.moreOptions;
    return html`<button
        part="more"
        class="more"
        aria-haspopup="menu"
        aria-expanded=${String(this.menuOpen)}
        aria-label=${label}
        title=${label}
        @click=${() => this.#setMenu(!this.menuOpen)}
      >
        ${icon('more')}
      </button>
      ${this.menuOpen
        ? html`<div part="more-menu" class="menu" role="menu" aria-label=${label} @keydown=${this.#onMenuKey} @focusout=${this.#onMenuFocusOut}>
            ${extras.map(
              (extra, index) =>
                html`<button
                  part="menu-item"
                  class=${extra.kind === 'end' ? 'danger' : ''}
                  role=${extra.pressed === undefined ? 'menuitem' : 'menuitemcheckbox'}
                  aria-checked=${extra.pressed === undefined ? nothing : String(extra.pressed)}
                  data-action=${extra.part}
                  tabindex=${index === 0 ? 0 : -1}
                  ?disabled=${extra.disabled}
                  @click=${() => this.#choose(extra)}
                >
                  ${extra.kind === 'end' ? nothing : extra.content}<span>${extra.label}</span>
                </button>`,
            )}
          </div>`
        : nothing}`;
  }

  /** An item of the More menu: the menu closes with focus on the More button, then the item acts as its button would. */
  async #choose(extra: Extra): Promise<void> {
    await this.#setMenu(false, true);
    extra.run();
  }

  /** Opens the More menu with focus on its first item, or closes it (focus back on the More button if asked). */
  async #setMenu(open: boolean, refocus = false): Promise<void> {
    this.menuOpen = open;
    if (open) this.pickerOpen = false;
    await this.updateComplete;
    const target = open ? '[part~="menu-item"]:not(:disabled)' : refocus ? '[part~="more"]' : '';
    if (target) this.renderRoot.querySelector<HTMLElement>(target)?.focus();
  }

  /** The reactions button, and above the controls while open, its picker: a menu of emoji (see `@csspart`). */
  #renderReactions(disabled: boolean) {
    const label = this.text.sendReaction;
    return html`<button
        part="reactions"
        class="secondary"
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

  /**
   * Opens the picker with focus on its first emoji, or closes it (focus back on the reactions button if asked, or on
   * the More button when the reactions button is in the More menu).
   */
  async #setPicker(open: boolean, refocus = false): Promise<void> {
    this.pickerOpen = open;
    await this.updateComplete;
    if (open) {
      this.renderRoot.querySelector<HTMLElement>('[part~="reaction-choice"]')?.focus();
    } else if (refocus) {
      this.focusControl('reactions');
    }
  }

  /**
   * Focuses the button of the control `part` names (`microphone`, `settings`…), or the More button while the More
   * menu holds that control (a meeting at most 480 px wide).
   */
  focusControl(part: string): void {
    const button = this.renderRoot.querySelector<HTMLElement>(`[part~="${part}"]`);
    if (button && button.getClientRects().length === 0) this.renderRoot.querySelector<HTMLElement>('[part~="more"]')?.focus();
    else button?.focus();
  }

  #react(emoji: Reaction): void {
    void this.#setPicker(false, true);
    // Past the allowance the SDK refuses at once without asking the server: a click too many is simply not sent.
    this.room?.react(emoji).catch((error: unknown) => {
      const detail = errorDetail(error);
      if (detail.code !== 'rate-limited') dispatchParleyEvent(this, 'parley-error', detail);
    });
  }

  #onPickerKey = (event: KeyboardEvent): void => this.#menuKeys(event, '[part~="reaction-choice"]', () => this.#setPicker(false, true));

  #onMenuKey = (event: KeyboardEvent): void => this.#menuKeys(event, '[part~="menu-item"]:not(:disabled)', () => this.#setMenu(false, true));

  /** A menu's keys: arrows move (and wrap), Home and End jump, Escape closes; Enter and Space press the item. */
  #menuKeys(event: KeyboardEvent, items: string, close: () => Promise<void>): void {
    const choices = [...this.renderRoot.querySelectorAll<HTMLElement>(items)];
    const current = choices.indexOf(event.composedPath()[0] as HTMLElement);
    const step = ARROW_STEPS[event.key];
    const next = step ? current + step : event.key === 'Home' ? 0 : event.key === 'End' ? -1 : undefined;
    if (event.key === 'Escape') {
      // The room would close its open panel on the same Escape: this one is the menu's alone.
      event.stopPropagation();
      void close();
    } else if (next !== undefined) {
      const choice = choices.at(next % choices.length)!;
      for (const other of choices) other.tabIndex = other === choice ? 0 : -1;
      choice.focus();
    } else {
      return;
    }
    event.preventDefault();
  }

  /**
   * Focus leaving the picker closes it, unless it goes to the reactions button, whose click closes it (or to the More
   * button, which is where focus goes when the reactions button is in the More menu).
   */
  #onPickerFocusOut = (event: FocusEvent): void => {
    const to = event.relatedTarget as Element | null;
    if (!to?.closest('[part~="reaction-picker"], [part~="reactions"], [part~="more"]')) this.pickerOpen = false;
  };

  /** Focus leaving the More menu closes it, unless it goes to the More button, whose click closes it. */
  #onMenuFocusOut = (event: FocusEvent): void => {
    const to = event.relatedTarget as Element | null;
    if (!to?.closest('[part~="more-menu"], [part~="more"]')) this.menuOpen = false;
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

/** A control that a narrow meeting moves into the More menu: its button's part, label, content and action. */
interface Extra {
  readonly part: string;
  readonly label: string;
  readonly content: unknown;
  /** A toggle's state (`aria-pressed` on the button, `aria-checked` in the menu); none for a plain action. */
  readonly pressed?: boolean;
  /** The button's class, for its look. */
  readonly kind?: string;
  readonly disabled: boolean;
  readonly run: () => void;
}

/** How the arrow keys move through the emoji picker and the More menu: both pairs work in either. */
const ARROW_STEPS: Partial<Record<string, number>> = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };

/** Chromium's Document Picture-in-Picture, or the video one (Safari; Firefox has none a page can open). */
function canPictureInPicture(): boolean {
  return globalThis.documentPictureInPicture !== undefined || document.pictureInPictureEnabled === true;
}

/** Phones and some embedded browsers cannot capture a screen: no button that cannot work. */
function canShareScreen(): boolean {
  return typeof navigator.mediaDevices?.getDisplayMedia === 'function';
}
