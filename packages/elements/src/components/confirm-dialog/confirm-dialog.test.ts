import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import { axeViolations } from '../../../test/support/axe.js';
import { until } from '../../../test/support/until.js';
import { confirmAction } from './confirm-dialog.js';

/** A host element with a shadow root and a button in it, as the controls and the participants panel are. */
function renderHost(lang = 'en'): { host: HTMLElement; button: HTMLButtonElement } {
  const host = document.createElement('div');
  host.lang = lang;
  const button = document.createElement('button');
  button.textContent = 'End meeting for all';
  host.attachShadow({ mode: 'open' }).append(button);
  document.body.append(host);
  return { host, button };
}

const question = { heading: 'End the meeting for everyone?', message: 'Everyone leaves the call.', confirmLabel: 'End meeting for all' };
const openDialog = (host: HTMLElement) =>
  until(() => host.shadowRoot!.querySelector('confirm-dialog')?.shadowRoot?.querySelector<HTMLDialogElement>('dialog[open]'));

describe('<confirm-dialog>', () => {
  afterEach(() => document.body.replaceChildren());

  it('asks as a modal alert dialog with focus on Cancel; Escape cancels and focus goes back', async () => {
    const { host, button } = renderHost();
    button.focus();
    const answer = confirmAction(host, question);
    const dialog = await openDialog(host);
    expect(dialog.getAttribute('role')).to.equal('alertdialog');
    expect(dialog.matches(':modal'), 'modal: the page behind is inert').to.equal(true);
    expect(dialog.querySelector('#heading')!.textContent).to.equal('End the meeting for everyone?');
    expect(dialog.querySelector('#message')!.textContent).to.equal('Everyone leaves the call.');
    const confirm = host.shadowRoot!.querySelector('confirm-dialog')!;
    expect(confirm.shadowRoot!.activeElement?.textContent).to.equal('Cancel');
    expect(await axeViolations(document.body)).to.deep.equal([]);

    await sendKeys({ press: 'Escape' });
    expect(await answer).to.equal(false);
    expect(host.shadowRoot!.querySelector('confirm-dialog'), 'removed once answered').to.equal(null);
    expect(host.shadowRoot!.activeElement, 'focus back where it was').to.equal(button);
  });

  it('goes ahead only with its confirm button, reached with the keyboard', async () => {
    const { host } = renderHost();
    const answer = confirmAction(host, question);
    await openDialog(host);
    await sendKeys({ press: 'Tab' });
    await sendKeys({ press: 'Enter' });
    expect(await answer).to.equal(true);
  });

  it('speaks the language around it', async () => {
    const { host } = renderHost('fr');
    const answer = confirmAction(host, question);
    const dialog = await openDialog(host);
    await until(() => dialog.querySelector('[part~="cancel"]')!.textContent === 'Annuler', 'the French catalog');
    dialog.querySelector<HTMLButtonElement>('[part~="cancel"]')!.click();
    expect(await answer).to.equal(false);
  });
});
