export { loadConfig, ConfigError, type ServerConfig } from './config.js';
export { startServer, type RunningServer } from './server.js';
export { MeetingService, generateMeetingCode, type CreatedMeeting } from './meetings/meeting-service.js';
export type { Meeting, MeetingStore } from './meetings/meeting.js';
export { MemoryMeetingStore } from './meetings/memory-meeting-store.js';
export type { InterServerEvents, SocketData, ParleyServer, ParleySocket } from './signaling/types.js';
