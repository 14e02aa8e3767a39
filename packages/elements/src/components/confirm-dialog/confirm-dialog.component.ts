import { html, type PropertyDeclarations } from 'lit';
import { ParleyElement } from '../../parley-element.js';
import { tokens } from '../../styles/tokens.js';
import { confirmDialogStyles } from './confirm-dialog.styles.js';

/** What a confirmation asks. */
export interface Confirmation {
  heading: string;
  message: string;
  /** The label of the button that goes ahead, e.g. "Remove". */
  confirmLabel: string;
}

/**
 * A modal question before an action that cannot be undone (remove someone, end the meeting for all). Focus starts
 * on Cancel, Escape cancels, and focus goes back where it was.
 *
 * ```js
 * if (await dialog.ask()) room.endMeeting();
 * ```
 *
 * @csspart dialog - The `<dialog>`.
 * @csspart heading - The question.
 * @csspart message - What going ahead does.
 * @csspart cancel - The Cancel button.
 * @csspart confirm - The button that goes ahead.
 *
 * @cssprop --parley-background - Dialog background.
 * @cssprop --parley-danger - Outline of the button that goes ahead.
 *
 * @tag confirm-dialog
 */
export class ConfirmDialog extends ParleyElement {
  /** Shadow styles: the shared design tokens, then this element's own. Theme with `--parley-*` properties and `::part()`. */
  static override styles = [tokens, confirmDialogStyles];

  static override properties: PropertyDeclarations = {
    heading: {},
    message: {},
    confirmLabel: { attribute: 'confirm-label' },
  };

  /** The question, e.g. "End the meeting for everyone?". */
  heading = '';

  /** What going ahead does. */
  message = '';

  /** The label of the button that goes ahead. */
  confirmLabel = '';

  /** Opens the dialog; resolves to whether the user went ahead. */
  async ask(): Promise<boolean> {
    await this.updateComplete;
    const dialog = this.renderRoot.querySelector('dialog')!;
    const returnTo = deepActiveElement();
    dialog.returnValue = '';
    dialog.showModal();
    this.renderRoot.querySelector<HTMLElement>('[part~="cancel"]')!.focus();
    await new Promise((resolve) => dialog.addEventListener('close', resolve, { once: true }));
    returnTo?.focus();
    return dialog.returnValue === 'confirm';
  }

  protected override render() {
    return html`<dialog part="dialog" role="alertdialog" aria-labelledby="heading" aria-describedby="message">
      <form method="dialog">
        <h2 id="heading" part="heading">${this.heading}</h2>
        <p id="message" part="message">${this.message}</p>
        <div class="buttons">
          <button part="cancel" value="cancel">${this.text.cancel}</button>
          <button part="confirm" class="confirm" value="confirm">${this.confirmLabel}</button>
        </div>
      </form>
    </dialog>`;
  }
}

/** Opens a confirmation inside `host`'s shadow root (so it follows the host's language and theme). */
export async function confirmAction(host: HTMLElement, confirmation: Confirmation): Promise<boolean> {
  const dialog = Object.assign(document.createElement('confirm-dialog'), confirmation);
  (host.shadowRoot ?? host).append(dialog);
  try {
    return await dialog.ask();
  } finally {
    dialog.remove();
  }
}

/** The focused element, looking into shadow roots. */
function deepActiveElement(): HTMLElement | null {
  let active = document.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active as HTMLElement | null;
}
