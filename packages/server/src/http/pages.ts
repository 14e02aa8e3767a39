/** The demo app's pages: a landing page and the meeting page. Plain HTML around `<meeting-room>`. */
import { pageStrings } from './page-strings.js';

/** The language a page speaks, and the query that keeps a choice made with `?lang=` on the next page. */
export interface PageLanguage {
  lang: string;
  /** `?lang=<lang>` when the address chose the language, `''` when the browser's preference did. */
  query: string;
}

/**
 * `<meeting-room>`'s palettes (packages/elements/src/styles/tokens.ts and meeting-room.styles.ts): dark unless the
 * system prefers light, as the element does, so the start page and the meeting look the same. Declared as
 * `--parley-*`, which the element reads too.
 */
const baseStyles = `
  :root {
    color-scheme: dark;
    --parley-background: #202124;
    --parley-text: #e8eaed;
    --parley-muted-text: #9aa0a6;
    --parley-accent: #8ab4f8;
    --parley-on-accent: #202124;
    --page-error: #f28b82;
    font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
  }
  @media (prefers-color-scheme: light) {
    :root {
      color-scheme: light;
      --parley-background: #ffffff;
      --parley-text: #202124;
      --parley-muted-text: #5f6368;
      --parley-accent: #1a73e8;
      --parley-on-accent: #ffffff;
      --page-error: #d93025;
    }
  }
  body { margin: 0; min-height: 100vh; background: var(--parley-background); color: var(--parley-text); }
  a { color: var(--parley-accent); }
  .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
`;

function page(language: PageLanguage, title: string, head: string, body: string): string {
  return `<!doctype html>
<html lang="${language.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${baseStyles}${head}</style>
</head>
<body>
${body}
</body>
</html>`;
}

/**
 * `nonce` lets the page's inline script run under the CSP (app.ts). Without `canCreateMeetings` (the server wants a
 * key for that) the page only joins.
 */
export function landingPage(nonce: string, language: PageLanguage, { canCreateMeetings }: { canCreateMeetings: boolean }): string {
  const text = pageStrings(language.lang);
  return page(
    language,
    'Parley',
    `
    main { max-width: 28rem; margin: 0 auto; padding: 12vh 1.5rem; display: grid; gap: 2rem; }
    h1 { font-size: 2.25rem; margin: 0; }
    p { color: var(--parley-muted-text); margin: .5rem 0 0; }
    button, input { font: inherit; border-radius: .5rem; padding: .7rem 1rem; }
    button { border: 0; background: var(--parley-accent); color: var(--parley-on-accent); font-weight: 600; cursor: pointer; }
    form { display: flex; gap: .5rem; }
    input { flex: 1; min-width: 0; border: 1px solid var(--parley-muted-text); background: transparent; color: inherit; }
    #error { color: var(--page-error); min-height: 1.5em; margin: 0; }
    `,
    `<main>
  <div>
    <h1>Parley</h1>
    <p>${text.tagline}</p>
  </div>
  ${canCreateMeetings ? `<button id="new-meeting" type="button">${text.newMeeting}</button>` : `<p>${text.joinOnly}</p>`}
  <form id="join" action="/m" method="get">
    <input id="code" name="code" placeholder="${text.codePlaceholder}" aria-label="${text.codeLabel}"
      autocomplete="off" spellcheck="false" required>
    ${language.query ? `<input type="hidden" name="lang" value="${language.lang}">` : ''}
    <button type="submit">${text.join}</button>
  </form>
  <p id="error" role="alert"></p>
</main>
<script type="module" nonce="${nonce}">
  const error = document.getElementById('error');
  document.getElementById('new-meeting')?.addEventListener('click', async () => {
    error.textContent = '';
    try {
      const response = await fetch('/api/meetings', { method: 'POST' });
      if (!response.ok) throw new Error(${JSON.stringify(text.serverAnswered)} + ' ' + response.status);
      const { code, hostKey } = await response.json();
      location.assign('/m/' + code + ${JSON.stringify(language.query)} + '#host=' + encodeURIComponent(hostKey));
    } catch (cause) {
      error.textContent = ${JSON.stringify(text.createFailed)} + ' ' + cause.message;
    }
  });
</script>`,
  );
}

/** `code` must already be canonical (safe to print as is). */
export function meetingPage(code: string, nonce: string, language: PageLanguage): string {
  return page(
    language,
    `Parley · ${code}`,
    `
    meeting-room { display: block; height: 100vh; height: 100dvh; }
    `,
    `<main>
<h1 class="visually-hidden">${pageStrings(language.lang).meetingHeading} ${code}</h1>
<meeting-room code="${code}" exit-url="/"></meeting-room>
</main>
<script type="module" src="/parley.js"></script>
<script type="module" nonce="${nonce}">
  // The host key travels in the fragment (never sent to a server) and is kept for this tab only.
  const room = document.querySelector('meeting-room');
  // The way out keeps the language the start page was asked for.
  room.exitUrl = '/' + location.search;
  const storageKey = 'parley-host-key:${code}';
  const fromLink = new URLSearchParams(location.hash.slice(1)).get('host');
  if (fromLink) {
    sessionStorage.setItem(storageKey, fromLink);
    history.replaceState(null, '', location.pathname + location.search);
  }
  const hostKey = sessionStorage.getItem(storageKey);
  if (hostKey) room.setAttribute('host-key', hostKey);
</script>`,
  );
}

/** The page for an address that names no meeting. */
export function notFoundPage(language: PageLanguage): string {
  const text = pageStrings(language.lang);
  return page(
    language,
    `Parley · ${text.notFound}`,
    'main { max-width: 28rem; margin: 0 auto; padding: 12vh 1.5rem; }',
    `<main><h1>${text.notFound}</h1><p>${text.notACode}</p><p><a href="/${language.query}">${text.backToStart}</a></p></main>`,
  );
}
