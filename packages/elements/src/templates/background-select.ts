import { html } from 'lit';
import { BACKGROUND_OPTIONS, backgroundOption, type BackgroundChoice } from '../background/background-choice.js';
import type { Catalog } from '../i18n/localize.js';
import { dispatchParleyEvent } from '../events.js';

/**
 * The labelled `<select>` of backgrounds (none, light or strong blur; the host page's image while it is the one in
 * use). A choice fires `parley-background-select` from `host`, for `<meeting-room>` to apply.
 */
export function backgroundSelect(host: HTMLElement, text: Catalog, selected: BackgroundChoice) {
  const value = backgroundOption(selected);
  const option = (option: string, label: string) => html`<option value=${option} ?selected=${option === value}>${label}</option>`;
  return html`<label class="field"
    >${text.background}
    <select
      part="background-select"
      data-selected=${value}
      @change=${(event: Event) => {
        const chosen = (event.target as HTMLSelectElement).value as keyof typeof BACKGROUND_OPTIONS;
        dispatchParleyEvent(host, 'parley-background-select', { background: BACKGROUND_OPTIONS[chosen] });
      }}
    >
      ${option('none', text.backgroundNone)} ${option('light', text.backgroundLight)} ${option('strong', text.backgroundStrong)}
      ${value === 'image' ? option('image', text.backgroundImage) : ''}
    </select></label
  >`;
}
