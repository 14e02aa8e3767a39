import { ConfirmDialog } from './confirm-dialog.component.js';
import { define } from '../../parley-element.js';

export { ConfirmDialog };
export { confirmAction, type Confirmation } from './confirm-dialog.component.js';

define('confirm-dialog', ConfirmDialog);

declare global {
  interface HTMLElementTagNameMap {
    'confirm-dialog': ConfirmDialog;
  }
}
