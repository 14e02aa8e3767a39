import { expect } from '@esm-bundle/chai';
import { axeViolations } from '../../../test/support/axe.js';
import { until } from '../../../test/support/until.js';
import './meeting-room.js';

describe('<meeting-room>', () => {
  afterEach(() => document.body.replaceChildren());

  it('starts on the prejoin screen with the meeting code, and exposes no room before joining', async () => {
    const room = document.createElement('meeting-room');
    room.code = 'abcd-efgh-jkmn';
    document.body.append(room);
    await room.updateComplete;
    const prejoin = room.shadowRoot!.querySelector('prejoin-screen')!;
    expect(prejoin.getAttribute('part')).to.equal('prejoin');
    await prejoin.updateComplete;
    expect(prejoin.shadowRoot!.querySelector('[part~="meeting-code"]')!.textContent).to.equal('Meeting abcd-efgh-jkmn');
    expect(room.room).to.equal(null);
    expect(await axeViolations(document.body)).to.deep.equal([]);
  });

  it('with autojoin and no server to reach: parley-error, then the reason in its language and a way to retry', async () => {
    const room = document.createElement('meeting-room');
    room.server = 'http://127.0.0.1:9';
    room.code = 'abcd-efgh-jkmn';
    room.autojoin = true;
    room.lang = 'es';
    const errors: string[] = [];
    room.addEventListener('parley-error', (event) => errors.push(event.detail.code));
    document.body.append(room);
    await until(() => errors.length > 0);
    expect(errors).to.deep.equal(['server-unreachable']);
    await until(() => room.shadowRoot!.querySelector('[part~="status"] .error')?.textContent?.startsWith('No se puede') ?? false);
    expect(room.shadowRoot!.querySelector('[part~="rejoin"]')!.textContent).to.equal('Reintentar');
  });

  it('refuses to join with an ice-transport-policy it does not know, and says so, rather than connect another way', async () => {
    const room = document.createElement('meeting-room');
    room.server = 'http://127.0.0.1:9';
    room.code = 'abcd-efgh-jkmn';
    room.autojoin = true;
    // A typo of "relay": joining with "all" instead would pass a TURN check that proves nothing, and show IPs.
    room.setAttribute('ice-transport-policy', 'relay-only');
    const errors: { code: string; message: string }[] = [];
    room.addEventListener('parley-error', ({ detail: { code, message } }) => errors.push({ code, message }));
    document.body.append(room);
    await until(() => errors.length > 0);
    const message = 'ice-transport-policy="relay-only": not "all" or "relay"';
    // Refused before reaching for the server: not server-unreachable.
    expect(errors).to.deep.equal([{ code: 'invalid-request', message }]);
    const shown = await until(() => room.shadowRoot!.querySelector<HTMLElement>('[part~="status"] .error'));
    // In the page's language, still naming the bad value for the developer.
    expect(shown.textContent).to.equal(`This page is set up wrongly: ${message}`);
    expect(shown.checkVisibility()).to.equal(true);
    expect(room.room).to.equal(null);
  });

  it('with exit-url, an end screen offers a way out: a link there, after a cancelable parley-exit', async () => {
    const room = document.createElement('meeting-room');
    room.server = 'http://127.0.0.1:9';
    room.code = 'abcd-efgh-jkmn';
    room.autojoin = true;
    room.setAttribute('exit-url', '/start?from=meeting');
    document.body.append(room);
    const exit = await until(() => room.shadowRoot!.querySelector<HTMLAnchorElement>('[part~="exit"]'));
    expect(exit.textContent).to.equal('Return to home screen');
    expect(exit.href).to.equal(new URL('/start?from=meeting', location.href).href);
    expect(exit.checkVisibility()).to.equal(true);
    expect(await axeViolations(document.body)).to.deep.equal([]);

    const exits: CustomEvent[] = [];
    document.addEventListener('parley-exit', (event) => {
      exits.push(event);
      // The page routes by itself (and this test page stays).
      event.preventDefault();
    });
    const click = new MouseEvent('click', { bubbles: true, cancelable: true, composed: true });
    exit.dispatchEvent(click);
    expect(exits.map((event) => event.detail)).to.deep.equal([{ url: '/start?from=meeting', reason: 'join-failed' }]);
    expect([exits[0]!.bubbles, exits[0]!.composed]).to.deep.equal([true, true]);
    expect(click.defaultPrevented, 'no navigation once the page cancelled').to.equal(true);

    room.removeAttribute('exit-url');
    await room.updateComplete;
    expect(room.shadowRoot!.querySelector('[part~="exit"]'), 'nowhere to go: no way out shown').to.equal(null);
  });

  it('with autojoin, waits for a code set after it entered the page, then joins once', async () => {
    const room = document.createElement('meeting-room');
    room.server = 'http://127.0.0.1:9';
    room.autojoin = true;
    const errors: string[] = [];
    room.addEventListener('parley-error', (event) => errors.push(event.detail.code));
    document.body.append(room);
    await room.updateComplete;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(errors, 'no join without a code').to.deep.equal([]);
    expect(room.room).to.equal(null);
    room.code = 'abcd-efgh-jkmn';
    await until(() => errors.length > 0);
    // It tried the meeting named now: the server is unreachable, not the code missing.
    expect(errors).to.deep.equal(['server-unreachable']);
  });

  it('with autojoin, joins once when the code is set in the same task as it entered the page', async () => {
    const room = document.createElement('meeting-room');
    room.server = 'http://127.0.0.1:9';
    room.autojoin = true;
    const errors: string[] = [];
    room.addEventListener('parley-error', (event) => errors.push(event.detail.code));
    document.body.append(room);
    room.code = 'abcd-efgh-jkmn';
    await until(() => errors.length > 0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(errors).to.deep.equal(['server-unreachable']);
  });

  it('refuses controls before joining with a typed error', async () => {
    const room = document.createElement('meeting-room');
    document.body.append(room);
    let code = '';
    try {
      await room.toggleMicrophone();
    } catch (error) {
      code = (error as { code: string }).code;
    }
    expect(code).to.equal('invalid-state');
  });
});
