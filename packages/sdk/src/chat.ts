/** A chat message, as everyone in the meeting sees it. */
export interface ChatMessage {
  /** Unique per message; the same on every participant's side. */
  id: string;
  senderId: string;
  senderName: string;
  text: string;
  /** When the sender sent it, in milliseconds since the epoch (the sender's clock). */
  sentAt: number;
}

/** Longest chat message, in characters. */
export const MAX_CHAT_MESSAGE_LENGTH = 4000;

/** What goes over the data channel. Sender id and name are never sent: the receiver knows whose channel it is. */
interface ChatEnvelope {
  type: 'chat';
  id: string;
  text: string;
  sentAt: number;
}

export function encodeChatMessage(message: ChatMessage): string {
  const envelope: ChatEnvelope = { type: 'chat', id: message.id, text: message.text, sentAt: message.sentAt };
  return JSON.stringify(envelope);
}

/** Reads a data channel message; `null` for anything that is not a well-formed chat message. */
export function decodeChatMessage(data: string): Omit<ChatMessage, 'senderId' | 'senderName'> | null {
  let envelope: unknown;
  try {
    envelope = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof envelope !== 'object' || envelope === null) return null;
  const { type, id, text, sentAt } = envelope as Record<string, unknown>;
  if (type !== 'chat' || typeof id !== 'string' || id.length === 0 || id.length > 64) return null;
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_CHAT_MESSAGE_LENGTH) return null;
  if (typeof sentAt !== 'number' || !Number.isFinite(sentAt)) return null;
  return { id, text, sentAt };
}
