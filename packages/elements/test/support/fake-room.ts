import { RemoteParticipant, TypedEmitter, type DeviceList, type Room, type RoomEventMap } from '@parley/sdk';

/**
 * The parts of a `Room` the panels and controls read, with participants that are real SDK objects, so an element
 * can be driven through every state without a server.
 */
export class FakeRoom extends TypedEmitter<RoomEventMap> {
  state: Room['state'] = 'joined';
  readonly localParticipant = Object.assign(
    new RemoteParticipant({ id: 'me', name: 'Grace', isHost: true, audioEnabled: true, videoEnabled: false, screenSharing: false }),
    { isLocal: true, deviceId: (kind: 'audio' | 'video') => (kind === 'audio' ? 'mic-2' : 'cam-1') },
  );
  readonly participants = new Map<string, RemoteParticipant>();
  audioOutputDeviceId = '';
  readonly switched: string[] = [];
  devices: DeviceList = { cameras: [], microphones: [], speakers: [] };

  /** Public here, so tests can raise any room event. */
  override emit<E extends keyof RoomEventMap>(event: E, ...args: Parameters<RoomEventMap[E]>): void {
    super.emit(event, ...args);
  }

  join(id: string, name: string, audioEnabled = true): RemoteParticipant {
    const participant = new RemoteParticipant({ id, name, isHost: false, audioEnabled, videoEnabled: true, screenSharing: false });
    this.participants.set(id, participant);
    this.emit('participant-joined', participant);
    return participant;
  }

  async listDevices(): Promise<DeviceList> {
    return this.devices;
  }

  async switchCamera(deviceId: string): Promise<void> {
    if (deviceId === 'broken') throw new Error('NotReadableError');
    this.switched.push(`camera:${deviceId}`);
  }

  async switchMicrophone(deviceId: string): Promise<void> {
    this.switched.push(`microphone:${deviceId}`);
  }

  /** Typed as the real thing for element properties. */
  asRoom(): Room {
    return this as unknown as Room;
  }
}

/** A `MediaDeviceInfo` for tests. */
export function device(kind: MediaDeviceKind, deviceId: string, label: string): MediaDeviceInfo {
  return { kind, deviceId, label, groupId: '', toJSON: () => ({}) };
}
