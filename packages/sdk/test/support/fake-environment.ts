/**
 * An `Environment` for tests: cameras, microphones and screens made from canvases and oscillators (real, stoppable
 * tracks that peer connections can send), a device list the test sets, refusals on demand, page-hide and
 * device-change notices the test fires, and real peer connections, kept for inspection.
 */
import type { Environment, PermissionWatch } from '../../src/environment.js';

/** What a `getUserMedia` rejection looks like, by its DOMException name. */
export type MediaFailure = 'NotAllowedError' | 'NotFoundError' | 'NotReadableError';

type Kind = 'audio' | 'video';

const DEFAULT_DEVICE: Record<Kind, string> = { audio: 'microphone-1', video: 'camera-1' };

export class FakeEnvironment implements Environment {
  /** Every track handed out (camera, microphone, screen), in order. */
  readonly tracks: MediaStreamTrack[] = [];
  /** Every `getUserMedia` request, in order. */
  readonly mediaRequests: MediaStreamConstraints[] = [];
  readonly displayRequests: DisplayMediaStreamOptions[] = [];
  readonly peerConnections: RTCPeerConnection[] = [];
  devices: MediaDeviceInfo[] = [
    device('audioinput', 'microphone-1', 'Microphone 1'),
    device('audioinput', 'microphone-2', 'Microphone 2'),
    device('videoinput', 'camera-1', 'Camera 1'),
    device('videoinput', 'camera-2', 'Camera 2'),
    device('audiooutput', 'speaker-1', 'Speaker 1'),
  ];
  /** Kinds whose capture fails, and how. */
  readonly refusals = new Map<Kind, MediaFailure>();
  /**
   * Kinds whose next capture is granted while its permission is revoked, as Chromium may do: the track is live and
   * the permission reads denied from then on.
   */
  readonly revokedWhileGranting = new Set<Kind>();
  /** Permissions that read as denied. */
  readonly deniedPermissions = new Set<'camera' | 'microphone'>();
  /** How the screen picker fails, if it does. */
  screenRefusal: 'NotAllowedError' | null = null;
  readonly #pageHideListeners = new Set<() => void>();
  readonly #deviceChangeListeners = new Set<() => void>();
  #audioContext: AudioContext | null = null;

  async getUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream> {
    this.mediaRequests.push(constraints);
    const kinds = (['audio', 'video'] as const).filter((kind) => constraints[kind]);
    for (const kind of kinds) {
      const failure = this.refusals.get(kind);
      if (failure) throw new DOMException(`${kind} refused by the test`, failure);
    }
    for (const kind of kinds) {
      if (this.revokedWhileGranting.delete(kind)) this.deniedPermissions.add(kind === 'audio' ? 'microphone' : 'camera');
    }
    const tracks = kinds.map((kind) => {
      const wanted = constraints[kind];
      const exact = typeof wanted === 'object' ? (wanted.deviceId as ConstrainDOMStringParameters | undefined)?.exact : undefined;
      const deviceId = typeof exact === 'string' ? exact : DEFAULT_DEVICE[kind];
      return this.#withDeviceId(kind === 'audio' ? this.#tone() : this.#canvasTrack(), deviceId);
    });
    return new MediaStream(tracks);
  }

  async getDisplayMedia(options: DisplayMediaStreamOptions): Promise<MediaStream> {
    this.displayRequests.push(options);
    if (this.screenRefusal) throw new DOMException('screen refused by the test', this.screenRefusal);
    return new MediaStream([this.#canvasTrack()]);
  }

  async enumerateDevices(): Promise<MediaDeviceInfo[]> {
    return [...this.devices];
  }

  onDeviceChange(listener: () => void): () => void {
    this.#deviceChangeListeners.add(listener);
    return () => this.#deviceChangeListeners.delete(listener);
  }

  createPeerConnection(configuration: RTCConfiguration): RTCPeerConnection {
    const pc = new RTCPeerConnection(configuration);
    this.peerConnections.push(pc);
    return pc;
  }

  onPageHide(listener: () => void): () => void {
    this.#pageHideListeners.add(listener);
    return () => this.#pageHideListeners.delete(listener);
  }

  watchPermission(name: 'camera' | 'microphone'): PermissionWatch {
    let denied = this.deniedPermissions.has(name);
    return {
      denied: async () => (denied ||= this.deniedPermissions.has(name)),
      stop: () => undefined,
    };
  }

  /** Fires `pagehide`, as when the tab closes. */
  hidePage(): void {
    for (const listener of [...this.#pageHideListeners]) listener();
  }

  /** Plugs devices in or out. */
  changeDevices(devices: MediaDeviceInfo[]): void {
    this.devices = devices;
    for (const listener of [...this.#deviceChangeListeners]) listener();
  }

  /** How many page-hide and device-change listeners are subscribed. */
  get listeners(): number {
    return this.#pageHideListeners.size + this.#deviceChangeListeners.size;
  }

  /** Tracks not stopped yet. */
  get liveTracks(): MediaStreamTrack[] {
    return this.tracks.filter((track) => track.readyState === 'live');
  }

  dispose(): void {
    for (const track of this.tracks) track.stop();
    for (const pc of this.peerConnections) pc.close();
    void this.#audioContext?.close();
    this.#audioContext = null;
  }

  #canvasTrack(): MediaStreamTrack {
    const canvas = document.createElement('canvas');
    canvas.width = 160;
    canvas.height = 120;
    const context = canvas.getContext('2d')!;
    context.fillStyle = '#3a7';
    context.fillRect(0, 0, canvas.width, canvas.height);
    const track = canvas.captureStream(5).getVideoTracks()[0]!;
    this.tracks.push(track);
    return track;
  }

  #tone(): MediaStreamTrack {
    this.#audioContext ??= new AudioContext();
    const oscillator = this.#audioContext.createOscillator();
    const destination = this.#audioContext.createMediaStreamDestination();
    oscillator.connect(destination);
    oscillator.start();
    const track = destination.stream.getAudioTracks()[0]!;
    this.tracks.push(track);
    return track;
  }

  /** Canvas and oscillator tracks have no device: report the one that was asked for, as a camera's would. */
  #withDeviceId(track: MediaStreamTrack, deviceId: string): MediaStreamTrack {
    const settings = track.getSettings.bind(track);
    track.getSettings = () => ({ ...settings(), deviceId });
    return track;
  }
}

export function device(kind: MediaDeviceKind, deviceId: string, label: string): MediaDeviceInfo {
  return { kind, deviceId, label, groupId: '', toJSON: () => ({ kind, deviceId, label }) };
}
