import { expect } from '@esm-bundle/chai';
import { sendKeys } from '@web/test-runner-commands';
import { axeViolations } from '../../../test/support/axe.js';
import './meeting-notices.js';
import type { MeetingNotices } from './meeting-notices.component.js';

/** The notices stack rises from its element's place: give it a stage to rise over, as <meeting-room> does. */
async function render(): Promise<MeetingNotices> {
  const stage = document.createElement('div');
  stage.style.cssText = 'width: 360px; height: 400px; display: flex; flex-direction: column; justify-content: flex-end';
  const notices = document.createElement('meeting-notices');
  stage.append(notices);
  document.body.append(stage);
  await notices.updateComplete;
  return notices;
}

const shown = (notices: MeetingNotices) =>
  [...notices.shadowRoot!.querySelectorAll<HTMLElement>('[part~="notice"]')].map((notice) => notice.innerText.replace(/\s+/g, ' ').trim());
const button = (notices: MeetingNotices, label: string) =>
  [...notices.shadowRoot!.querySelectorAll<HTMLButtonElement>('button')].find((element) => element.textContent!.trim() === label)!;

describe('<meeting-notices>', () => {
  afterEach(() => document.body.replaceChildren());

  it('shows notices on screen, above its own place, with actions that run once and close the notice', async () => {
    const notices = await render();
    const admitted: string[] = [];
    notices.show({ id: 'waiting', message: 'Eve wants to join', actions: [{ label: 'Admit', run: () => admitted.push('Eve') }] });
    notices.show({ id: 'devices', message: 'No camera or microphone found', detail: 'Connect one, then try again.' });
    await notices.updateComplete;
    expect(shown(notices)).to.deep.equal(['Eve wants to join Admit', 'No camera or microphone found Connect one, then try again.']);

    const notice = notices.shadowRoot!.querySelector<HTMLElement>('[part~="notice"]')!;
    const box = notice.getBoundingClientRect();
    const place = notices.getBoundingClientRect();
    expect(notice.checkVisibility({ opacityProperty: true, visibilityProperty: true })).to.equal(true);
    expect(box.height).to.be.above(40);
    expect(box.bottom, 'rises from the element, over what is above').to.be.at.most(place.top);
    expect(box.right, 'fits its container').to.be.at.most(360);
    expect(await axeViolations(document.body)).to.deep.equal([]);

    button(notices, 'Admit').click();
    await notices.updateComplete;
    expect(admitted).to.deep.equal(['Eve']);
    expect(notices.notices.map(({ id }) => id)).to.deep.equal(['devices']);
  });

  it('replaces a notice with the same id in place, and each one can be dismissed', async () => {
    const notices = await render();
    notices.show({ id: 'waiting', message: 'Eve wants to join' });
    notices.show({ id: 'muted', message: 'Ada muted you' });
    notices.show({ id: 'waiting', message: '2 people want to join' });
    await notices.updateComplete;
    expect(shown(notices)).to.deep.equal(['2 people want to join', 'Ada muted you']);

    const dismiss = notices.shadowRoot!.querySelector<HTMLButtonElement>('[data-notice="muted"] [part~="dismiss"]')!;
    expect(dismiss.getAttribute('aria-label')).to.equal('Dismiss: Ada muted you');
    dismiss.click();
    await notices.updateComplete;
    expect(shown(notices)).to.deep.equal(['2 people want to join']);
    notices.dismiss('waiting');
    await notices.updateComplete;
    expect(notices.shadowRoot!.querySelector('[part~="notices"]')).to.equal(null);
  });

  it('can be reached and used with the keyboard alone', async () => {
    const before = document.createElement('button');
    before.textContent = 'before';
    document.body.append(before);
    const notices = await render();
    const admitted: string[] = [];
    notices.show({ id: 'waiting', message: 'Eve wants to join', actions: [{ label: 'Admit', run: () => admitted.push('Eve') }] });
    await notices.updateComplete;
    before.focus();
    // Tab moves on from the button before: the notice's first action is next in the tab order.
    await sendKeys({ press: 'Tab' });
    expect(notices.shadowRoot!.activeElement?.textContent?.trim()).to.equal('Admit');
    await sendKeys({ press: 'Enter' });
    expect(admitted).to.deep.equal(['Eve']);
  });

  it('takes a notice with a duration away by itself, and leaves no timer behind once removed', async () => {
    const notices = await render();
    notices.show({ id: 'copied', message: 'Invite link copied', duration: 50 });
    await notices.updateComplete;
    expect(shown(notices)).to.deep.equal(['Invite link copied']);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(notices.notices).to.deep.equal([]);

    notices.show({ id: 'copied', message: 'Invite link copied', duration: 50 });
    notices.remove();
    expect(notices.notices, 'gone with its element').to.deep.equal([]);
  });
});
