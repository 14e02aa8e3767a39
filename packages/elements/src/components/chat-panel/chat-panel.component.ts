import { html, nothing, type PropertyDeclarations, type PropertyValues } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { ErrorCode, MAX_CHAT_MESSAGE_LENGTH, type ChatMessage, type Participant, type RoomEventMap } from '@parley/sdk';
import { EmitterController } from '../../controllers/emitter-controller.js';
import { dispatchParleyEvent, errorDetail } from '../../events.js';
import { ParleyElement } from '../../parley-element.js';
import type { RoomPart } from '../../room-like.js';
import { tokens } from '../../styles/tokens.js';
import { chatPanelStyles } from './chat-panel.styles.js';
import { linkify } from './linkify.js';

/** Within this distance of the bottom (px), the reader counts as following the conversation. */
const NEAR_BOTTOM = 40;
/** Consecutive messages from one sender closer together than this (ms) share one name. */
const GROUP_WINDOW = 2 * 60_000;

/**
 * A room's chat: the conversation so far and a box to write in. Enter sends, Shift+Enter starts a new line.
 * Follows the newest message while you read at the bottom; scrolled up, you get a "New messages" button instead.
 * Usable on its own with any SDK `Room`.
 *
 * @fires parley-error - The room refused a message, e.g. outside a meeting or too long.
 *
 * @csspart panel - The whole panel.
 * @csspart log - The scrolling list of messages.
 * @csspart message - One message.
 * @csspart sender - The sender's name, on the first message of a group.
 * @csspart time - When the message was sent.
 * @csspart text - The message text. Its http(s) addresses are links that open in a new tab.
 * @csspart new-messages - The "New messages" button shown while scrolled up.
 * @csspart form - The form with the message box and the Send button.
 * @csspart input - The message box.
 * @csspart send - The Send button.
 * @csspart error - Why the last message was refused.
 *
 * @cssprop --parley-background - Panel background.
 * @cssprop --parley-surface - Message box background.
 * @cssprop --parley-text - Text colour.
 * @cssprop --parley-muted-text - Colour of times and hints.
 * @cssprop --parley-accent - Send button, own name and focus ring colour.
 * @cssprop --parley-on-accent - Text on the accent colour.
 * @cssprop --parley-danger - Error colour.
 * @cssprop --parley-radius - Corner radius.
 * @cssprop --parley-gap - Spacing.
 *
 * @tag chat-panel
 */
export class ChatPanel extends ParleyElement {
  /** Shadow styles: the shared design tokens, then this element's own. Theme with `--parley-*` properties and `::part()`. */
  static override styles = [tokens, chatPanelStyles];

  static override properties: PropertyDeclarations = {
    room: { attribute: false },
    newMessages: { state: true },
    error: { state: true },
  };

  /** The room whose chat to show and send to. */
  room: (RoomPart<'chatMessages' | 'sendChatMessage'> & { readonly localParticipant: Pick<Participant, 'id'> }) | null = null;

  /** Set when a message arrived while the reader was scrolled up; cleared on reaching the bottom. */
  private newMessages = false;

  /** Why the last message was refused, shown under the form until the next edit. */
  private error = '';

  private get log(): HTMLElement | null {
    return this.renderRoot?.querySelector('[part="log"]') as HTMLElement | null;
  }
  private get input(): HTMLTextAreaElement | null {
    return this.renderRoot?.querySelector('textarea') as HTMLTextAreaElement | null;
  }

  /** Scroll to the newest message after the next render. */
  #scrollOnUpdate = true;
  /** Whether the reader was at the bottom when last seen; kept there when the log resizes. */
  #pinned = true;
  #resizeObserver: ResizeObserver | null = null;
  #formats = new Map<string, Intl.DateTimeFormat>();

  constructor() {
    super();
    new EmitterController<RoomEventMap>(this, () => this.room, ['chat-message'], () => this.#onMessage());
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#resizeObserver?.disconnect();
    this.#resizeObserver = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Reattached: observe the log again (firstUpdated only runs once).
    if (this.hasUpdated) this.#observe();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('room')) {
      this.#scrollOnUpdate = true;
      this.newMessages = false;
      this.error = '';
    }
  }

  protected override firstUpdated(): void {
    this.#observe();
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    if (this.#scrollOnUpdate) {
      this.#scrollOnUpdate = false;
      this.#scrollToBottom();
    }
  }

  protected override render() {
    const room = this.room;
    const messages = room?.chatMessages ?? [];
    const ownId = room?.localParticipant.id;
    const format = this.#timeFormat();
    return html`
      <div part="panel" class="panel">
        <div class="log-wrap">
          <div
            part="log"
            class="log"
            role="log"
            aria-live="polite"
            aria-label=${this.text.chatMessages}
            tabindex="0"
            @scroll=${this.#onScroll}
          >
            ${messages.length === 0 ? html`<p class="empty">${this.text.noChatMessages}</p>` : nothing}
            ${repeat(
              messages,
              (message) => `${message.senderId}/${message.id}`,
              (message, index) => this.#renderMessage(message, messages[index - 1], ownId, format),
            )}
          </div>
          ${this.newMessages
            ? html`<button part="new-messages" class="new-messages" type="button" @click=${this.#showNewest}>
                ${this.text.newChatMessages}
              </button>`
            : nothing}
        </div>
        <form part="form" class="form" @submit=${this.#onSubmit}>
          <label class="visually-hidden" for="input">${this.text.chatMessageLabel}</label>
          <textarea
            id="input"
            part="input"
            rows="1"
            maxlength=${MAX_CHAT_MESSAGE_LENGTH}
            placeholder=${this.text.chatPlaceholder}
            aria-invalid=${this.error ? 'true' : 'false'}
            aria-describedby=${this.error ? 'error' : nothing}
            ?disabled=${!room}
            @keydown=${this.#onKeyDown}
            @input=${this.#onInput}
          ></textarea>
          <button part="send" class="send" type="submit" ?disabled=${!room}>${this.text.sendChatMessage}</button>
        </form>
        ${this.error ? html`<p id="error" part="error" class="error" role="alert">${this.error}</p>` : nothing}
      </div>
    `;
  }

  #renderMessage(message: ChatMessage, previous: ChatMessage | undefined, ownId: string | undefined, format: Intl.DateTimeFormat) {
    const own = message.senderId === ownId;
    const name = own ? this.text.you : message.senderName || this.text.defaultName;
    const gap = previous ? message.sentAt - previous.sentAt : Infinity;
    const continued = previous?.senderId === message.senderId && gap >= 0 && gap < GROUP_WINDOW;
    const sentAt = new Date(message.sentAt);
    const valid = Number.isFinite(sentAt.getTime());
    // Lit interpolates text as text nodes and links only http(s) addresses (linkify): no message becomes markup.
    return html`<div part="message" class="message" ?data-own=${own} ?data-continued=${continued}>
      <div class="meta">
        ${continued
          ? html`<span class="visually-hidden">${name}</span>`
          : html`<span part="sender" class="sender">${name}</span>`}
        ${valid
          ? html`<time part="time" class="time" datetime=${sentAt.toISOString()}>${format.format(sentAt)}</time>`
          : nothing}
      </div>
      <p part="text" class="text">${linkify(message.text)}</p>
    </div>`;
  }

  #onMessage(): void {
    // Measure before the new message renders: was the reader following the conversation?
    if (this.#isNearBottom()) this.#scrollOnUpdate = true;
    else if (!this.#scrollOnUpdate) this.newMessages = true;
    this.requestUpdate();
  }

  #onScroll = (): void => {
    this.#pinned = this.#isNearBottom();
    if (this.#pinned && this.newMessages) this.newMessages = false;
  };

  #showNewest = (): void => {
    this.#scrollToBottom();
    this.newMessages = false;
    this.input?.focus();
  };

  #onKeyDown = (event: KeyboardEvent): void => {
    // Enter sends; Shift+Enter is a new line; Enter that confirms an IME composition is neither.
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing || event.keyCode === 229) return;
    event.preventDefault();
    this.#send();
  };

  #onInput = (): void => {
    if (this.error) this.error = '';
  };

  #onSubmit = (event: SubmitEvent): void => {
    event.preventDefault();
    this.#send();
  };

  #send(): void {
    const room = this.room;
    const input = this.input;
    if (!room || !input || input.value.trim() === '') return;
    // Your own message always comes into view, even while you were reading further up.
    this.#scrollOnUpdate = true;
    try {
      room.sendChatMessage(input.value);
    } catch (error) {
      this.#scrollOnUpdate = false;
      const detail = errorDetail(error);
      this.error =
        detail.code === ErrorCode.InvalidRequest
          ? this.text.chatMessageLength(MAX_CHAT_MESSAGE_LENGTH)
          : detail.code === ErrorCode.InvalidState
            ? this.text.chatNotInMeeting
            : this.text.chatSendFailed;
      dispatchParleyEvent(this, 'parley-error', detail);
      return;
    }
    input.value = '';
    this.error = '';
    this.newMessages = false;
    this.requestUpdate();
  }

  #isNearBottom(): boolean {
    const log = this.log;
    if (!log) return true;
    return log.scrollHeight - log.scrollTop - log.clientHeight <= NEAR_BOTTOM;
  }

  #scrollToBottom(): void {
    const log = this.log;
    if (!log) return;
    log.scrollTop = log.scrollHeight;
    this.#pinned = true;
  }

  #observe(): void {
    const log = this.log;
    if (!log || this.#resizeObserver || typeof ResizeObserver === 'undefined') return;
    // Shown after being hidden, or squeezed by a growing message box: a reader at the bottom stays there.
    this.#resizeObserver = new ResizeObserver(() => {
      if (this.#pinned) this.#scrollToBottom();
    });
    this.#resizeObserver.observe(log);
  }

  /** hh:mm in the element's language (its own `lang`, a host's or ancestor's, or the document's). */
  #timeFormat(): Intl.DateTimeFormat {
    const locale = this.locale;
    let format = this.#formats.get(locale);
    if (!format) {
      const options: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit' };
      try {
        format = new Intl.DateTimeFormat(locale || undefined, options);
      } catch {
        // A malformed lang attribute: the browser's own language rather than no time at all.
        format = new Intl.DateTimeFormat(undefined, options);
      }
      this.#formats.set(locale, format);
    }
    return format;
  }
}
