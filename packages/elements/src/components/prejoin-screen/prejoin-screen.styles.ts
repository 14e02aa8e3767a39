import { css } from 'lit';

export const prejoinScreenStyles = css`
  :host {
    display: block;
    container-type: inline-size;
    background: var(--_background);
    padding: 16px;
  }
  [hidden] {
    display: none !important;
  }
  form {
    display: grid;
    gap: 16px;
    max-width: 960px;
    margin: 0 auto;
  }
  .intro h2 {
    margin: 0;
    font-size: 1.375rem;
    font-weight: 600;
  }
  .code {
    margin: 4px 0 0;
    color: var(--_muted-text);
    font-variant-numeric: tabular-nums;
    overflow-wrap: anywhere;
  }
  .recorded {
    margin: 8px 0 0;
    font-weight: 600;
    color: var(--parley-recording, #d93025);
  }
  fieldset {
    display: grid;
    gap: 16px;
    margin: 0;
    padding: 0;
    border: 0;
    min-width: 0;
  }
  @container (min-width: 720px) {
    fieldset {
      grid-template-columns: minmax(0, 3fr) minmax(0, 2fr);
      align-items: start;
    }
  }
  .stage {
    position: relative;
    aspect-ratio: 16 / 9;
    border-radius: var(--_radius);
    overflow: hidden;
    background: var(--_surface);
  }
  video {
    width: 100%;
    height: 100%;
    object-fit: cover;
    background: #000;
    /* A mirror: moving right moves right, as people expect of their own image. */
    transform: scaleX(-1);
  }
  .stage-note {
    position: absolute;
    inset: 0;
    display: grid;
    place-items: center;
    margin: 0;
    padding: 16px;
    text-align: center;
    color: var(--_muted-text);
  }
  .stage-controls {
    position: absolute;
    left: 0;
    right: 0;
    bottom: 12px;
    display: flex;
    justify-content: center;
    gap: 12px;
  }
  .toggle {
    display: grid;
    place-items: center;
    width: 48px;
    height: 48px;
    padding: 0;
    border: 1px solid rgb(255 255 255 / 0.4);
    border-radius: 50%;
    background: rgb(0 0 0 / 0.45);
    color: #fff;
    cursor: pointer;
  }
  .toggle[aria-pressed='false'] {
    background: var(--_danger);
    border-color: transparent;
  }
  .toggle:disabled {
    opacity: 0.5;
    cursor: not-allowed;
  }
  .meter {
    position: absolute;
    left: 12px;
    top: 12px;
    width: min(120px, 35%);
    height: 8px;
    border-radius: 4px;
    background: rgb(0 0 0 / 0.45);
    overflow: hidden;
  }
  .meter-fill {
    display: block;
    height: 100%;
    width: 100%;
    transform-origin: left;
    transform: scaleX(var(--level, 0));
    background: var(--_accent);
  }
  .fields,
  .devices {
    display: grid;
    gap: 12px;
    min-width: 0;
  }
  .help {
    display: grid;
    gap: 8px;
    align-content: start;
    padding: 16px;
    border-radius: var(--_radius);
    background: var(--_surface);
  }
  .help h3 {
    margin: 0;
    font-size: 1.125rem;
  }
  .help p,
  .help ol {
    margin: 0;
  }
  .help ol {
    padding-inline-start: 1.25em;
    display: grid;
    gap: 4px;
  }
  @media (prefers-reduced-motion: no-preference) {
    .meter-fill {
      transition: transform 60ms linear;
    }
  }
`;
