import { html, nothing, type PropertyDeclarations } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { icon } from '../../icons.js';
import { ParleyElement } from '../../parley-element.js';
import { tokens } from '../../styles/tokens.js';
import { meetingNoticesStyles } from './meeting-notices.styles.js';

/** A button on a notice. Running it also dismisses the notice. */
export interface NoticeAction {
  label: string;
  run: () => void;
}

/** Something people must see, not only hear: who waits to join, who muted you, why a device will not start. */
export interface Notice {
  /** Showing a notice with the id of one on screen replaces it in place (e.g. "2 people want to join"). */
  id: string;
  message: string;
  /** A second line: what to do about it. */
  detail?: string;
  actions?: readonly NoticeAction[];
  /** Milliseconds until it goes by itself; without, it stays until dismissed or replaced. */
  duration?: number;
}

/**
 * Visible notices with optional actions, stacked where the element stands (it takes no space of its own: put it
 * just above a control bar, and the notices rise from there over what is above). Every notice can be dismissed;
 * its buttons are in the tab order. The notices are not a live region: a page pairs them with its own
 * announcements for screen readers (as `<meeting-room>` does).
 *
 * @csspart notices - The stack of notices.
 * @csspart notice - One notice.
 * @csspart message - A notice's message.
 * @csspart detail - A notice's second line.
 * @csspart action - A notice's action button.
 * @csspart dismiss - A notice's dismiss button.
 *
 * @cssprop --parley-background - Notice background.
 * @cssprop --parley-surface - Notice border.
 * @cssprop --parley-text - Text colour.
 * @cssprop --parley-accent - Action buttons and focus ring.
 *
 * @tag meeting-notices
 */
export class MeetingNotices extends ParleyElement {
  /** Shadow styles: the shared design tokens, then this element's own. Theme with `--parley-*` properties and `::part()`. */
  static override styles = [tokens, meetingNoticesStyles];

  static override properties: PropertyDeclarations = {
    shown: { state: true },
  };

  private shown: readonly Notice[] = [];
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();

  /** The notices on screen, oldest first. */
  get notices(): readonly Notice[] {
    return this.shown;
  }

  /** Shows `notice`, or replaces the one on screen with its id. */
  show(notice: Notice): void {
    this.#clearTimer(notice.id);
    const at = this.shown.findIndex(({ id }) => id === notice.id);
    this.shown = at < 0 ? [...this.shown, notice] : this.shown.map((shown, index) => (index === at ? notice : shown));
    if (notice.duration) this.#timers.set(notice.id, setTimeout(() => this.dismiss(notice.id), notice.duration));
  }

  /** Takes the notice with this id off the screen, if it is there. */
  dismiss(id: string): void {
    this.#clearTimer(id);
    this.shown = this.shown.filter((notice) => notice.id !== id);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    // Nothing outlives the element: a notice that would have timed out is simply gone.
    for (const id of [...this.#timers.keys()]) this.dismiss(id);
  }

  protected override render() {
    if (this.shown.length === 0) return nothing;
    return html`<section part="notices" aria-label=${this.text.notifications}>
      ${repeat(
        this.shown,
        (notice) => notice.id,
        (notice) => html`<div part="notice" class="notice" data-notice=${notice.id}>
          <div class="body">
            <p part="message" class="message">${notice.message}</p>
            ${notice.detail ? html`<p part="detail" class="detail">${notice.detail}</p>` : nothing}
            ${notice.actions?.length
              ? html`<div class="actions">
                  ${notice.actions.map(
                    (action) => html`<button part="action" @click=${() => this.#run(notice.id, action)}>${action.label}</button>`,
                  )}
                </div>`
              : nothing}
          </div>
          <button
            part="dismiss"
            class="dismiss"
            aria-label=${this.text.dismissNotice(notice.message)}
            title=${this.text.dismiss}
            @click=${() => this.dismiss(notice.id)}
          >
            ${icon('close')}
          </button>
        </div>`,
      )}
    </section>`;
  }

  #run(id: string, action: NoticeAction): void {
    this.dismiss(id);
    action.run();
  }

  #clearTimer(id: string): void {
    clearTimeout(this.#timers.get(id));
    this.#timers.delete(id);
  }
}
