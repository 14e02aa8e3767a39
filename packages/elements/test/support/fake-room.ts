import {
  ErrorCode,
  ParleyError,
  RemoteParticipant,
  TypedEmitter,
  type DeviceList,
  type MeetingSettings,
  type Participant,
  type Reaction,
  type RecordingState,
  type Room,
  type RoomEventMap,
  type VideoWanted,
  type WaitingParticipant,
} from '@parley/sdk';

/**
 * The parts of a `Room` the panels and controls use (`RoomLike`), with participants that are real SDK objects, so an element
 * can be driven through every state without a server.
 */
export class FakeRoom extends TypedEmitter<RoomEventMap> {
  state: Room['state'] = 'joined';
  get inMeeting(): boolean {
    return this.state === 'joined' || this.state === 'reconnecting';
  }
  readonly localParticipant = Object.assign(
    new RemoteParticipant({ id: 'me', name: 'Grace', isHost: true, audioEnabled: true, videoEnabled: false, screenSharing: false }),
    {
      isLocal: true,
      deviceId: (kind: 'audio' | 'video') => (kind === 'audio' ? 'mic-2' : 'cam-1'),
      noiseSuppression: false,
      /** Where the browser cannot, as the SDK's: rejects with `unsupported` and stays off. */
      noiseSuppressionSupported: true,
      async setNoiseSuppression(this: { noiseSuppression: boolean; noiseSuppressionSupported: boolean }, on: boolean): Promise<void> {
        if (on && !this.noiseSuppressionSupported) throw new ParleyError(ErrorCode.Unsupported, 'No AudioWorklet here');
        this.noiseSuppression = on;
      },
    },
  );
  readonly participants = new Map<string, RemoteParticipant>();
  activeSpeaker: Participant | null = null;
  audioOutputDeviceId = '';
  readonly switched: string[] = [];
  /** Host actions taken, as `action:participantId`. */
  readonly hostActions: string[] = [];
  settings: MeetingSettings = { locked: false, waitingRoom: false };
  waitingParticipants: WaitingParticipant[] = [];
  raisedHands: string[] = [];
  devices: DeviceList = { cameras: [], microphones: [], speakers: [] };
  /** Every `setVideoWanted` call, in order, with when it came (`performance.now()`). */
  readonly videoWanted: { id: string; wanted: VideoWanted; at: number }[] = [];

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

  /** The participant leaves, as the room tells it. */
  depart(id: string): void {
    const participant = this.participants.get(id)!;
    this.participants.delete(id);
    this.emit('participant-left', participant, 'left');
  }

  setVideoWanted(id: string, wanted: VideoWanted): void {
    this.videoWanted.push({ id, wanted, at: performance.now() });
  }

  async toggleMicrophone(enabled = !this.localParticipant.audioEnabled): Promise<boolean> {
    this.localParticipant.setMediaState(enabled, this.localParticipant.videoEnabled);
    this.emit('media-changed', this.localParticipant);
    return enabled;
  }

  async toggleCamera(enabled = !this.localParticipant.videoEnabled): Promise<boolean> {
    this.localParticipant.setMediaState(this.localParticipant.audioEnabled, enabled);
    this.emit('media-changed', this.localParticipant);
    return enabled;
  }

  async toggleScreenShare(): Promise<boolean> {
    this.localParticipant.setScreenSharing(!this.localParticipant.screenSharing);
    this.emit('screen-share-changed', this.localParticipant);
    return this.localParticipant.screenSharing;
  }

  async stopScreenShare(): Promise<void> {
    if (this.localParticipant.screenSharing) await this.toggleScreenShare();
  }

  async leave(): Promise<void> {
    this.state = 'left';
    this.emit('left', 'left');
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

  async updateMeeting(update: Partial<MeetingSettings>): Promise<MeetingSettings> {
    // As the server does: a host setting the waiting room makes it theirs, no longer the one a removal turned on.
    const { waitingRoomAfterRemoval: _, ...chosen } = this.settings;
    this.settings = { ...(update.waitingRoom === undefined ? this.settings : chosen), ...update };
    this.emit('meeting-updated', this.settings);
    return this.settings;
  }

  async endMeeting(): Promise<void> {
    this.hostActions.push('end');
  }

  async muteParticipant(id: string): Promise<void> {
    this.hostActions.push(`mute:${id}`);
  }

  async transferHost(id: string): Promise<void> {
    this.hostActions.push(`host:${id}`);
  }

  async removeParticipant(id: string): Promise<void> {
    this.hostActions.push(`remove:${id}`);
  }

  async admit(id: string): Promise<void> {
    this.hostActions.push(`admit:${id}`);
  }

  /** Sets the queue of raised hands, as the room does on `hands-changed`. */
  setHands(ids: string[]): void {
    this.raisedHands = ids;
    for (const participant of [this.localParticipant, ...this.participants.values()]) participant.handRaised = ids.includes(participant.id);
    this.emit('hands-changed', ids);
  }

  async raiseHand(): Promise<void> {
    if (!this.raisedHands.includes('me')) this.setHands([...this.raisedHands, 'me']);
  }

  async lowerHand(id = 'me'): Promise<void> {
    if (id !== 'me') this.hostActions.push(`lower:${id}`);
    this.setHands(this.raisedHands.filter((raised) => raised !== id));
  }

  async lowerAllHands(): Promise<void> {
    this.hostActions.push('lower-all');
    this.setHands([]);
  }

  recording: RecordingState = { recorders: [], allowed: [] };

  /** Sets who records and who may, as the room does on `recording-changed`. */
  setRecording(recording: RecordingState): void {
    this.recording = recording;
    this.emit('recording-changed', recording);
  }

  async allowRecording(id: string, allowed = true): Promise<void> {
    this.hostActions.push(`${allowed ? 'allow' : 'disallow'}-recording:${id}`);
    const others = this.recording.allowed.filter((other) => other !== id);
    this.setRecording({ ...this.recording, allowed: allowed ? [...others, id] : others });
  }

  async deny(id: string): Promise<void> {
    throw Object.assign(new Error('Only a host can do that'), { code: 'not-host', id });
  }

  /** Reactions sent, in order. Set `reactionRefusal` to refuse the next ones with it instead. */
  readonly reactions: Reaction[] = [];
  reactionRefusal: Error | null = null;

  async react(emoji: Reaction): Promise<void> {
    if (this.reactionRefusal) throw this.reactionRefusal;
    this.reactions.push(emoji);
    this.localParticipant.reacted(emoji);
  }
}

/** A `MediaDeviceInfo` for tests. */
export function device(kind: MediaDeviceKind, deviceId: string, label: string): MediaDeviceInfo {
  return { kind, deviceId, label, groupId: '', toJSON: () => ({}) };
}
