/** The demo app's pages: a landing page and the meeting page. Plain HTML around `<meeting-room>`. */

const baseStyles = `
  :root { color-scheme: light dark; font-family: system-ui, sans-serif; }
  body { margin: 0; min-height: 100vh; background: #0f1115; color: #e8eaed; }
  a { color: #8ab4f8; }
`;

function page(title: string, head: string, body: string): string {
  return `<!doctype html>
<html lang="en">
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
export function landingPage(nonce: string, { canCreateMeetings }: { canCreateMeetings: boolean }): string {
  return page(
    'Parley',
    `
    main { max-width: 28rem; margin: 0 auto; padding: 12vh 1.5rem; display: grid; gap: 2rem; }
    h1 { font-size: 2.25rem; margin: 0; }
    p { color: #9aa0a6; margin: .5rem 0 0; }
    button, input { font: inherit; border-radius: .5rem; padding: .7rem 1rem; }
    button { border: 0; background: #8ab4f8; color: #0f1115; font-weight: 600; cursor: pointer; }
    form { display: flex; gap: .5rem; }
    input { flex: 1; min-width: 0; border: 1px solid #5f6368; background: transparent; color: inherit; }
    #error { color: #f28b82; min-height: 1.5em; margin: 0; }
    `,
    `<main>
  <div>
    <h1>Parley</h1>
    <p>Video meetings that stay between the people in them.</p>
  </div>
  ${canCreateMeetings ? '<button id="new-meeting" type="button">New meeting</button>' : '<p>Meetings on this server are created by the site that invites you.</p>'}
  <form id="join" action="/m" method="get">
    <input id="code" name="code" placeholder="Enter a code: xxxx-xxxx-xxxx" aria-label="Meeting code"
      autocomplete="off" spellcheck="false" required>
    <button type="submit">Join</button>
  </form>
  <p id="error" role="alert"></p>
</main>
<script type="module" nonce="${nonce}">
  const error = document.getElementById('error');
  document.getElementById('new-meeting')?.addEventListener('click', async () => {
    error.textContent = '';
    try {
      const response = await fetch('/api/meetings', { method: 'POST' });
      if (!response.ok) throw new Error('The server answered ' + response.status);
      const { code, hostKey } = await response.json();
      location.assign('/m/' + code + '#host=' + encodeURIComponent(hostKey));
    } catch (cause) {
      error.textContent = 'Could not create a meeting: ' + cause.message;
    }
  });
</script>`,
  );
}

/** `code` must already be canonical (safe to print as is). */
export function meetingPage(code: string, nonce: string): string {
  return page(
    `Parley · ${code}`,
    `
    meeting-room { display: block; height: 100vh; height: 100dvh; }
    `,
    `<meeting-room code="${code}" exit-url="/"></meeting-room>
<script type="module" src="/parley.js"></script>
<script type="module" nonce="${nonce}">
  // The host key travels in the fragment (never sent to a server) and is kept for this tab only.
  const room = document.querySelector('meeting-room');
  const storageKey = 'parley-host-key:${code}';
  const fromLink = new URLSearchParams(location.hash.slice(1)).get('host');
  if (fromLink) {
    sessionStorage.setItem(storageKey, fromLink);
    history.replaceState(null, '', location.pathname);
  }
  const hostKey = sessionStorage.getItem(storageKey);
  if (hostKey) room.setAttribute('host-key', hostKey);
</script>`,
  );
}

export function notFoundPage(message: string): string {
  return page(
    'Parley · not found',
    'main { max-width: 28rem; margin: 0 auto; padding: 12vh 1.5rem; }',
    `<main><h1>Not found</h1><p>${message}</p><p><a href="/">Back to Parley</a></p></main>`,
  );
}
