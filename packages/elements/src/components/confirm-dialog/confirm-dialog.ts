import { ConfirmDialog } from './confirm-dialog.component.js';

export { ConfirmDialog };
export { confirmAction, type Confirmation } from './confirm-dialog.component.js';

if (!customElements.get('confirm-dialog')) customElements.define('confirm-dialog', ConfirmDialog);

declare global {
  interface HTMLElementTagNameMap {
    'confirm-dialog': ConfirmDialog;
  }
}
