import { expect } from '@esm-bundle/chai';
import { axeViolations } from '../../../test/support/axe.js';
import './meeting-room.js';

async function until(check: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 150 && !check(); attempt++) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(check(), 'condition reached in time').to.equal(true);
}

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
