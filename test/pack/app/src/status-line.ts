// The app's own Lit element: an app built on Lit shares one Lit with @parley/elements (lit is its peer dependency),
// which the pack test checks in the built bundle.
import { LitElement, html } from 'lit';

/** Shows `text`: what the page is doing. */
export class StatusLine extends LitElement {
  static override properties = { text: {} };
  text = '';

  override render() {
    return html`<p role="status">${this.text}</p>`;
  }
}
customElements.define('status-line', StatusLine);

declare global {
  interface HTMLElementTagNameMap {
    'status-line': StatusLine;
  }
}
