/** The Socket.IO room of everyone connected to a meeting. */
export const meetingRoom = (code: string) => `meeting:${code}`;

/** The Socket.IO room of one participant's connection, wherever (on whichever node) it is. */
export const participantRoom = (id: string) => `participant:${id}`;
