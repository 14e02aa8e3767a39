import { expect } from '@esm-bundle/chai';
import { ParleyError, TypedEmitter, type ChatMessage, type RoomEventMap } from '@parley/sdk';
import './chat-panel.js';
import type { ChatPanel } from './chat-panel.component.js';

/** What <chat-panel> uses of a Room, with a way to receive messages as if from peers. */
class FakeRoom extends TypedEmitter<RoomEventMap> {
  readonly chatMessages: ChatMessage[] = [];
  readonly localParticipant = { id: 'me', name: 'Grace' };
  refusal: Error | null = null;
  #next = 0;

  sendChatMessage(text: string): ChatMessage {
    if (this.refusal) throw this.refusal;
    return this.receive({ senderId: 'me', senderName: 'Grace', text: text.trim() });
  }

  receive(message: Partial<ChatMessage> & Pick<ChatMessage, 'senderId'>): ChatMessage {
    const full: ChatMessage = { id: `m${++this.#next}`, senderName: 'Ada', text: 'hi', sentAt: Date.now(), ...message };
    this.chatMessages.push(full);
    this.emit('chat-message', full);
    return full;
  }
}

const at = (hours: number, minutes: number) => new Date(2024, 0, 15, hours, minutes).getTime();

async function render(room: FakeRoom, height = 400): Promise<ChatPanel> {
  const panel = document.createElement('chat-panel');
  panel.lang = 'en-GB';
  panel.style.height = `${height}px`;
  panel.style.width = '320px';
  panel.room = room;
  document.body.append(panel);
  await panel.updateComplete;
  return panel;
}

const parts = (panel: ChatPanel, name: string) => [...panel.shadowRoot!.querySelectorAll<HTMLElement>(`[part~="${name}"]`)];
const part = (panel: ChatPanel, name: string) => parts(panel, name)[0] ?? null;
const textarea = (panel: ChatPanel) => part(panel, 'input') as HTMLTextAreaElement;
const nextFrame = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));

function press(panel: ChatPanel, key: string, init: KeyboardEventInit = {}): boolean {
  return textarea(panel).dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...init }));
}

function atBottom(log: HTMLElement): boolean {
  return log.scrollHeight - log.scrollTop - log.clientHeight <= 1;
}

describe('<chat-panel>', () => {
  afterEach(() => {
    document.body.replaceChildren();
  });

  it('shows each message with its sender, "You" for yours, and the time', async () => {
    const room = new FakeRoom();
    room.receive({ senderId: 'p1', senderName: 'Ada', text: 'Hello', sentAt: at(9, 5) });
    room.receive({ senderId: 'me', senderName: 'Grace', text: 'Hi Ada', sentAt: at(14, 30) });
    const panel = await render(room);

    expect(part(panel, 'log')!.getAttribute('role')).to.equal('log');
    expect(part(panel, 'log')!.getAttribute('aria-live')).to.equal('polite');
    expect(parts(panel, 'message')).to.have.length(2);
    expect(parts(panel, 'sender').map((el) => el.textContent)).to.deep.equal(['Ada', 'You']);
    expect(parts(panel, 'time').map((el) => el.textContent)).to.deep.equal(['09:05', '14:30']);
    expect(parts(panel, 'time')[0]!.getAttribute('datetime')).to.equal(new Date(at(9, 5)).toISOString());
    expect(parts(panel, 'text').map((el) => el.textContent)).to.deep.equal(['Hello', 'Hi Ada']);
  });

  it('follows new messages from the room', async () => {
    const room = new FakeRoom();
    const panel = await render(room);
    expect(parts(panel, 'message')).to.have.length(0);
    room.receive({ senderId: 'p1', text: 'Anyone here?' });
    await panel.updateComplete;
    expect(parts(panel, 'text').map((el) => el.textContent)).to.deep.equal(['Anyone here?']);
  });

  it('groups consecutive messages from one sender within two minutes', async () => {
    const room = new FakeRoom();
    room.receive({ senderId: 'p1', senderName: 'Ada', text: 'one', sentAt: at(10, 0) });
    room.receive({ senderId: 'p1', senderName: 'Ada', text: 'two', sentAt: at(10, 1) });
    room.receive({ senderId: 'p2', senderName: 'Linus', text: 'three', sentAt: at(10, 2) });
    room.receive({ senderId: 'p2', senderName: 'Linus', text: 'four', sentAt: at(10, 5) });
    const panel = await render(room);

    expect(parts(panel, 'message')).to.have.length(4);
    expect(parts(panel, 'sender').map((el) => el.textContent)).to.deep.equal(['Ada', 'Linus', 'Linus']);
    expect(parts(panel, 'message').map((el) => el.hasAttribute('data-continued'))).to.deep.equal([false, true, false, false]);
  });

  it('sends on Enter and clears the box; Shift+Enter does not send', async () => {
    const room = new FakeRoom();
    const panel = await render(room);
    const input = textarea(panel);
    expect(input.maxLength).to.equal(4000);
    expect(input.labels?.[0]?.textContent).to.equal('Message');

    input.value = 'first line';
    expect(press(panel, 'Enter', { shiftKey: true }), 'Shift+Enter keeps its default: a new line').to.equal(true);
    expect(room.chatMessages).to.have.length(0);

    input.value = 'first line\nsecond line';
    expect(press(panel, 'Enter')).to.equal(false);
    await panel.updateComplete;
    expect(room.chatMessages.map((m) => m.text)).to.deep.equal(['first line\nsecond line']);
    expect(input.value).to.equal('');
    expect(part(panel, 'text')!.textContent).to.equal('first line\nsecond line');
    expect(getComputedStyle(part(panel, 'text')!).whiteSpace).to.equal('pre-wrap');

    press(panel, 'Enter');
    expect(room.chatMessages, 'an empty box sends nothing').to.have.length(1);

    input.value = 'by button';
    (part(panel, 'send') as HTMLButtonElement).click();
    await panel.updateComplete;
    expect(room.chatMessages.map((m) => m.text)).to.deep.equal(['first line\nsecond line', 'by button']);
  });

  it('shows a refusal inline and fires parley-error', async () => {
    const room = new FakeRoom();
    room.refusal = ParleyError.invalidState('Cannot chat while idle');
    const panel = await render(room);
    const errors: CustomEvent[] = [];
    document.body.addEventListener('parley-error', (event) => errors.push(event));

    textarea(panel).value = 'hello?';
    press(panel, 'Enter');
    await panel.updateComplete;

    expect(errors).to.have.length(1);
    expect(errors[0]!.detail.code).to.equal('invalid-state');
    expect(part(panel, 'error')!.textContent).to.equal('You can send messages once you are in the meeting');
    expect(part(panel, 'error')!.getAttribute('role')).to.equal('alert');
    expect(textarea(panel).value, 'kept, to try again').to.equal('hello?');
    expect(textarea(panel).getAttribute('aria-invalid')).to.equal('true');

    textarea(panel).value = 'hello again';
    textarea(panel).dispatchEvent(new Event('input'));
    await panel.updateComplete;
    expect(part(panel, 'error'), 'cleared on edit').to.equal(null);
  });

  it('scrolls to new messages at the bottom, and offers "New messages" when scrolled up', async () => {
    const room = new FakeRoom();
    for (let i = 0; i < 30; i++) room.receive({ senderId: `p${i % 2}`, text: `message ${i}` });
    const panel = await render(room, 240);
    const log = part(panel, 'log')!;
    expect(log.scrollHeight).to.be.greaterThan(log.clientHeight);
    expect(atBottom(log), 'opens on the newest message').to.equal(true);

    room.receive({ senderId: 'p1', text: 'while reading at the bottom' });
    await panel.updateComplete;
    expect(atBottom(log)).to.equal(true);
    expect(part(panel, 'new-messages')).to.equal(null);

    log.scrollTop = 0;
    await nextFrame();
    room.receive({ senderId: 'p1', text: 'while scrolled up' });
    await panel.updateComplete;
    expect(log.scrollTop, 'the reader stays where they were').to.equal(0);
    const button = part(panel, 'new-messages') as HTMLButtonElement;
    expect(button.textContent!.trim()).to.equal('New messages');

    button.click();
    await panel.updateComplete;
    expect(atBottom(log)).to.equal(true);
    expect(part(panel, 'new-messages')).to.equal(null);
  });

  it('brings your own message into view even when scrolled up', async () => {
    const room = new FakeRoom();
    for (let i = 0; i < 30; i++) room.receive({ senderId: 'p1', text: `message ${i}` });
    const panel = await render(room, 240);
    const log = part(panel, 'log')!;
    log.scrollTop = 0;
    await nextFrame();
    textarea(panel).value = 'mine';
    press(panel, 'Enter');
    await panel.updateComplete;
    expect(atBottom(log)).to.equal(true);
    expect(part(panel, 'new-messages')).to.equal(null);
  });

  it('shows HTML in a message as text', async () => {
    const room = new FakeRoom();
    room.receive({ senderId: 'p1', senderName: '<b>Eve</b>', text: '<img src=x onerror="window.pwned=1"><b>bold</b>' });
    const panel = await render(room);
    const text = part(panel, 'text')!;
    expect(text.textContent).to.equal('<img src=x onerror="window.pwned=1"><b>bold</b>');
    expect(text.querySelector('img, b')).to.equal(null);
    expect(part(panel, 'sender')!.textContent).to.equal('<b>Eve</b>');
    expect(part(panel, 'sender')!.children).to.have.length(0);
  });

  it('makes http(s) addresses clickable links that open in a new tab with rel="noopener noreferrer"', async () => {
    const room = new FakeRoom();
    room.receive({ senderId: 'p1', text: 'Agenda: https://example.com/doc?a=1&b=2#top. Old one (http://example.org/x_(y)), bye' });
    const panel = await render(room);
    const text = part(panel, 'text')!;
    const links = [...text.querySelectorAll('a')];
    expect(links.map((link) => [link.getAttribute('href'), link.textContent])).to.deep.equal([
      ['https://example.com/doc?a=1&b=2#top', 'https://example.com/doc?a=1&b=2#top'],
      ['http://example.org/x_(y)', 'http://example.org/x_(y)'],
    ]);
    for (const link of links) {
      expect(link.target).to.equal('_blank');
      expect(link.rel).to.equal('noopener noreferrer');
    }
    // The words around the links stay as they were written.
    expect(text.textContent).to.equal('Agenda: https://example.com/doc?a=1&b=2#top. Old one (http://example.org/x_(y)), bye');
  });

  it('links only http(s), and hostile text in or around an address never becomes markup', async () => {
    const room = new FakeRoom();
    const hostile = [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(document.cookie)',
      'data:text/html,<script>alert(1)</script>',
      'vbscript:msgbox(1) file:///etc/passwd ftp://example.com',
      'https://example.com/"><img src=x onerror="window.pwned=1">',
      "https://example.com/' onmouseover='window.pwned=1",
      'http://<svg onload=window.pwned=1>',
      'see http:// and https:///nothing',
    ].join('\n');
    room.receive({ senderId: 'p1', text: hostile });
    const panel = await render(room);
    const text = part(panel, 'text')!;
    expect(text.textContent).to.equal(hostile);
    expect(text.querySelector('img, svg, script')).to.equal(null);
    const links = [...text.querySelectorAll('a')];
    expect(links.map((link) => link.getAttribute('href'))).to.deep.equal([
      'https://example.com/',
      'https://example.com/',
    ]);
    for (const link of links) {
      expect(link.attributes.length, 'href, target and rel only').to.equal(3);
      expect(link.children).to.have.length(0);
    }
    expect((window as { pwned?: number }).pwned).to.equal(undefined);
  });
});
