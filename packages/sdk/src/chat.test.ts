import { expect } from '@esm-bundle/chai';
import { decodeChatMessage, encodeChatMessage, MAX_CHAT_MESSAGE_LENGTH, type ChatMessage } from './chat.js';

const message: ChatMessage = {
  id: 'b3c1f7a2-0d5e-4c1a-9a57-4c0e3c2f9d11',
  senderId: 'participant-1',
  senderName: 'Ada',
  text: 'Hello, "world" — ünïcödé 🎉\nsecond line',
  sentAt: 1_700_000_000_123,
};

const envelope = (fields: Record<string, unknown>): string =>
  JSON.stringify({ type: 'chat', id: 'm1', text: 'hi', sentAt: 1, ...fields });

describe('chat encoding', () => {
  it('round-trips id, text and sentAt', () => {
    expect(decodeChatMessage(encodeChatMessage(message))).to.deep.equal({
      id: message.id,
      text: message.text,
      sentAt: message.sentAt,
    });
  });

  it('never puts the sender id or name on the wire', () => {
    const encoded = encodeChatMessage(message);
    expect(encoded).to.not.include(message.senderId);
    expect(encoded).to.not.include(message.senderName);
    expect(Object.keys(JSON.parse(encoded)).sort()).to.deep.equal(['id', 'sentAt', 'text', 'type']);
  });

  it('accepts the limits: a 64-character id and a text of MAX_CHAT_MESSAGE_LENGTH', () => {
    const id = 'i'.repeat(64);
    const text = 'x'.repeat(MAX_CHAT_MESSAGE_LENGTH);
    expect(decodeChatMessage(envelope({ id, text }))).to.deep.equal({ id, text, sentAt: 1 });
  });

  it('ignores extra fields', () => {
    expect(decodeChatMessage(envelope({ senderId: 'spoofed', extra: [1] }))).to.deep.equal({
      id: 'm1',
      text: 'hi',
      sentAt: 1,
    });
  });

  const malformed: [string, string][] = [
    ['not JSON', 'hello'],
    ['truncated JSON', envelope({}).slice(0, -1)],
    ['JSON null', 'null'],
    ['a JSON string', '"chat"'],
    ['a JSON number', '42'],
    ['a JSON array', '[]'],
    ['another message type', envelope({ type: 'typing' })],
    ['no type', JSON.stringify({ id: 'm1', text: 'hi', sentAt: 1 })],
    ['an empty id', envelope({ id: '' })],
    ['a 65-character id', envelope({ id: 'i'.repeat(65) })],
    ['a numeric id', envelope({ id: 7 })],
    ['an empty text', envelope({ text: '' })],
    ['a text one over the limit', envelope({ text: 'x'.repeat(MAX_CHAT_MESSAGE_LENGTH + 1) })],
    ['a non-string text', envelope({ text: { html: '<b>' } })],
    ['a string sentAt', envelope({ sentAt: '1700000000000' })],
    ['a null sentAt (what JSON makes of NaN and Infinity)', envelope({ sentAt: null })],
    ['no sentAt', JSON.stringify({ type: 'chat', id: 'm1', text: 'hi' })],
  ];
  for (const [what, data] of malformed) {
    it(`rejects ${what}`, () => {
      expect(decodeChatMessage(data)).to.equal(null);
    });
  }

  it('rejects a message encoded with a non-finite sentAt', () => {
    expect(decodeChatMessage(encodeChatMessage({ ...message, sentAt: Number.NaN }))).to.equal(null);
    expect(decodeChatMessage(encodeChatMessage({ ...message, sentAt: Number.POSITIVE_INFINITY }))).to.equal(null);
  });
});
