import { css } from 'lit';

/**
 * Parley's design tokens with their defaults. Every element reads these custom properties, so a site themes all
 * of them by setting `--parley-*` on an ancestor; on `<meeting-room>` itself for its light theme, whose palette the
 * element declares on itself.
 */
export const tokens = css`
  :host {
    --_background: var(--parley-background, #202124);
    --_surface: var(--parley-surface, #3c4043);
    --_text: var(--parley-text, #e8eaed);
    --_muted-text: var(--parley-muted-text, #9aa0a6);
    --_accent: var(--parley-accent, #8ab4f8);
    --_on-accent: var(--parley-on-accent, #202124);
    --_danger: var(--parley-danger, #ea4335);
    --_radius: var(--parley-radius, 12px);
    --_gap: var(--parley-gap, 8px);
    --_font: var(--parley-font, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    font-family: var(--_font);
    color: var(--_text);
    box-sizing: border-box;
  }
  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }
  /* For screen readers only. */
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
`;
