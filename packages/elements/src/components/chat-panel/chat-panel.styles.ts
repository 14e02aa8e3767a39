import { css } from 'lit';

export const chatPanelStyles = css`
  :host {
    display: block;
    min-width: 0;
    min-height: 0;
  }
  .panel {
    display: flex;
    flex-direction: column;
    height: 100%;
    min-height: 0;
    background: var(--_background);
  }
  .log-wrap {
    position: relative;
    flex: 1 1 auto;
    min-height: 0;
    display: flex;
    flex-direction: column;
  }
  .log {
    flex: 1 1 auto;
    min-height: 0;
    overflow-y: auto;
    overscroll-behavior: contain;
    padding: calc(var(--_gap) * 1.5);
  }
  .log:focus-visible {
    outline: 3px solid var(--_accent);
    outline-offset: -3px;
  }
  .empty {
    margin: 0;
    color: var(--_muted-text);
    font-size: 14px;
    text-align: center;
  }
  .message {
    position: relative;
    margin-top: calc(var(--_gap) * 1.5);
  }
  .message:first-child,
  .message[data-continued] {
    margin-top: 2px;
  }
  .message:first-child {
    margin-top: 0;
  }
  .meta {
    display: flex;
    align-items: baseline;
    gap: var(--_gap);
    font-size: 13px;
  }
  /* A group shows name and time once; later messages keep them for screen readers only. */
  .message[data-continued] .meta {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
  .sender {
    font-weight: 600;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .message[data-own] .sender {
    color: var(--_accent);
  }
  .time {
    flex: none;
    color: var(--_muted-text);
    font-size: 12px;
  }
  .text {
    margin: 2px 0 0;
    font-size: 14px;
    line-height: 1.4;
    white-space: pre-wrap;
    overflow-wrap: anywhere;
  }
  .text a {
    color: var(--_accent);
  }
  .new-messages {
    position: absolute;
    left: 50%;
    bottom: var(--_gap);
    transform: translateX(-50%);
    font: inherit;
    font-size: 13px;
    border: 0;
    border-radius: 999px;
    padding: 6px 14px;
    background: var(--_accent);
    color: var(--_on-accent);
    box-shadow: 0 2px 6px rgb(0 0 0 / 0.35);
    cursor: pointer;
  }
  .form {
    flex: none;
    display: flex;
    align-items: flex-end;
    gap: var(--_gap);
    padding: var(--_gap) calc(var(--_gap) * 1.5) calc(var(--_gap) * 1.5);
  }
  textarea {
    flex: 1 1 auto;
    min-width: 0;
    min-height: 40px;
    max-height: 8lh;
    field-sizing: content;
    resize: none;
    font: inherit;
    font-size: 14px;
    line-height: 1.4;
    color: var(--_text);
    background: var(--_surface);
    border: 1px solid transparent;
    border-radius: calc(var(--_radius) * 0.75);
    padding: 9px 12px;
  }
  textarea::placeholder {
    color: var(--_muted-text);
  }
  textarea[aria-invalid='true'] {
    border-color: var(--_danger);
  }
  .send {
    flex: none;
    height: 40px;
    font: inherit;
    font-size: 14px;
    font-weight: 600;
    border: 0;
    border-radius: calc(var(--_radius) * 0.75);
    padding: 0 16px;
    background: var(--_accent);
    color: var(--_on-accent);
    cursor: pointer;
  }
  textarea:focus-visible,
  button:focus-visible {
    outline: 3px solid var(--_accent);
    outline-offset: 2px;
  }
  button:disabled,
  textarea:disabled {
    opacity: 0.6;
    cursor: default;
  }
  .error {
    margin: 0;
    padding: 0 calc(var(--_gap) * 1.5) calc(var(--_gap) * 1.5);
    color: var(--_danger);
    font-size: 13px;
  }
`;
