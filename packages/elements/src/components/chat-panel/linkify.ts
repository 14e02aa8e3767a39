import { html, type TemplateResult } from 'lit';

/** A web address as people type it: `http://` or `https://` and everything up to whitespace. */
const ADDRESS = /\bhttps?:\/\/[^\s<>"/][^\s<>"]*/gi;
/** Punctuation that ends a sentence rather than the address: "see https://example.com." */
const TRAILING = /[.,;:!?'»”’]+$/;

/**
 * A chat message's text with its http(s) addresses as links that open in a new tab and give the opened page no
 * handle on this one (`noopener noreferrer`). Everything else stays text: Lit renders strings as text nodes and
 * sets `href` as an attribute value, so no message can become markup, and no other scheme (`javascript:`,
 * `data:`…) is ever linked.
 */
export function linkify(text: string): (string | TemplateResult)[] {
  const pieces: (string | TemplateResult)[] = [];
  let rest = 0;
  for (const match of text.matchAll(ADDRESS)) {
    const address = trimAddress(match[0]);
    const href = webAddress(address);
    if (!href) continue;
    pieces.push(text.slice(rest, match.index), html`<a href=${href} target="_blank" rel="noopener noreferrer">${address}</a>`);
    rest = match.index + address.length;
  }
  pieces.push(text.slice(rest));
  return pieces.filter((piece) => piece !== '');
}

/** Drops trailing punctuation, and a closing bracket that has no opening one inside the address. */
function trimAddress(address: string): string {
  let trimmed = address.replace(TRAILING, '');
  for (const [open, close] of ['()', '[]']) {
    while (trimmed.endsWith(close!) && count(trimmed, close!) > count(trimmed, open!)) {
      trimmed = trimmed.slice(0, -1).replace(TRAILING, '');
    }
  }
  return trimmed;
}

function count(text: string, character: string): number {
  return text.split(character).length - 1;
}

/** The address as the browser parses it, when that is still http(s) with a host; otherwise null. */
function webAddress(address: string): string | null {
  try {
    const url = new URL(address);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname ? url.href : null;
  } catch {
    return null;
  }
}
