import { browserEnvironment, defaultMediaConstraints, type Environment } from './environment.js';
import { ErrorCode, ParleyError } from './errors.js';
import { Participant } from './participant.js';

/** What the local participant sends: microphone, camera, or a shared screen. */
export type LocalTrackKind = 'audio' | 'video' | 'screen';

/** How the local participant tells its room what to send and announce. */
export interface LocalParticipantHooks {
  /** A track started, was replaced or stopped: send `track` (or nothing) on every connection. */
  trackChanged(kind: LocalTrackKind, track: MediaStreamTrack | null): Promise<void>;
  /** Microphone, camera or screen share went on or off: tell everyone. */
  mediaStateChanged(): Promise<void>;
  /** A device failed or permission was revoked mid-call. */
  deviceFailed(error: ParleyError): void;
}

/**
 * What the noise-suppression chunk (`noise/`) puts between the microphone and the connections: one processed
 * track, fed by whichever microphone track is in use.
 */
export interface AudioFilter {
  /** The microphone track being processed, if any. */
  readonly input: MediaStreamTrack | null;
  /**
   * Processes `track` from now on (a previous input stops) and returns the processed track, the same one each time.
   * The processed track takes over whether the microphone is on (`enabled`).
   */
  process(track: MediaStreamTrack): MediaStreamTrack;
  /** Stops the processing and the processed track; the input is left running. */
  close(): void;
}

/** A camera or microphone: what `deviceId` and `setEnabled` take. */
export type DeviceKind = 'audio' | 'video';

/** What {@link LocalParticipant.capture} could start, and why the rest could not. */
export interface CapturedMedia {
  /** The tracks that started: both, one of them, or none. */
  stream: MediaStream;
  /** The first failure (`permission-denied`, `no-device`, `device-busy`…), or `null` when everything asked for started. */
  error: ParleyError | null;
}

/** What a {@link VideoEffect} made of the camera: the track sent and shown instead, and how to let it go. */
export interface ProcessedVideo {
  track: MediaStreamTrack;
  /** Stops `track` and whatever made it; the camera track is not this effect's to stop. */
  stop(): void;
}

/**
 * Processes the camera (a background blur, say): resolves with the track to send and show instead. Rejects (a
 * {@link ParleyError}) when it cannot start, and the raw camera goes on. See {@link LocalParticipant.setVideoEffect}.
 */
export type VideoEffect = (camera: MediaStreamTrack) => Promise<ProcessedVideo>;

/** Screens change little between frames; 15 fps keeps text sharp at a fraction of a camera's bitrate. */
/** How long a device that read as busy right after its track ended is given before it is asked for again. */
const BUSY_RETRY_MS = 500;
const SCREEN_CONSTRAINTS = { video: { frameRate: { ideal: 15, max: 15 } }, audio: false } satisfies DisplayMediaStreamOptions;

/**
 * You, in the meeting: your camera, microphone and screen share. Capture, device switching and recovery from a
 * lost device live here; the room sends what this participant holds to everyone. Outside any meeting,
 * {@link createPreview} makes one for a "ready to join?" preview.
 */
export class LocalParticipant extends Participant {
  readonly isLocal = true;
  readonly #environment: Environment;
  readonly #hooks: LocalParticipantHooks;
  #screenStream: MediaStream | null = null;
  /** A screen share waiting for the browser's picker; a second start joins it instead of opening another. */
  #startingScreenShare: Promise<void> | null = null;
  /** Bumped by `stopTracks`: a capture that resolves after it belongs to a meeting already left. */
  #generation = 0;
  /** Where the noise suppression's worklet and wasm are fetched from. */
  readonly #noiseAssets: string;
  /** Noise suppression, while on: `stream` holds its processed track, the microphone's track is its input. */
  #filter: AudioFilter | null = null;
  /** Noise suppression turned on or off: the next change waits for this one. */
  #filterChange: Promise<unknown> = Promise.resolve();
  #videoEffect: VideoEffect | null = null;
  /** While an effect runs: the raw camera (not in `stream`) and what the effect made of it (in `stream`). */
  #processed: { camera: MediaStreamTrack; output: ProcessedVideo } | null = null;
  /** Track changes one after another: an effect's start is awaited, and a later change must not be overtaken. */
  #trackChanges: Promise<unknown> = Promise.resolve();

  /** @internal Created by the room. */
  constructor(environment: Environment, hooks: LocalParticipantHooks, noiseAssets = '') {
    super();
    this.#environment = environment;
    this.#hooks = hooks;
    this.#noiseAssets = noiseAssets;
  }

  get audioTrack(): MediaStreamTrack | null {
    return this.stream?.getAudioTracks()[0] ?? null;
  }

  get videoTrack(): MediaStreamTrack | null {
    return this.stream?.getVideoTracks()[0] ?? null;
  }

  get screenStream(): MediaStream | null {
    return this.#screenStream;
  }

  /** The device id of the microphone or camera in use, if any. */
  deviceId(kind: DeviceKind): string | undefined {
    return this.#captured(kind)?.getSettings().deviceId;
  }

  /** Whether the microphone is sent through noise suppression (see {@link setNoiseSuppression}). */
  get noiseSuppression(): boolean {
    return !!this.#filter;
  }

  /**
   * Sends the microphone through RNNoise, which takes steady noise (fans, traffic, keyboards) out between and under
   * speech, or (`false`) sends it as captured again. Its code, an AudioWorklet and a WebAssembly module are fetched
   * the first time, from the Parley server (`RoomOptions.noiseSuppressionAssets`). Applies to the microphone in use and
   * to those that follow (a device switch, a lost device's replacement) until turned off; `leave()` turns it off.
   * Call it once joined. Rejects with `unsupported` where the browser has no AudioWorklet or WebAssembly,
   * `invalid-state` where the page may not start audio yet, or `internal` when the assets cannot be fetched or run: the
   * microphone is then sent as captured.
   */
  setNoiseSuppression(on: boolean): Promise<void> {
    const change = this.#filterChange.then(async () => {
      const filter = this.#filter;
      if (on === !!filter) return;
      const audio = this.audioTrack;
      if (filter) {
        this.#filter = null;
        if (filter.input && audio) {
          filter.input.enabled = audio.enabled;
          await this.#putTrack('audio', filter.input);
        }
        filter.close();
      } else {
        const generation = this.#generation;
        const made = await (await import('./noise/rnnoise-filter.js')).createFilter(this.#noiseAssets);
        // Left meanwhile: it must not stay running.
        if (generation !== this.#generation) return made.close();
        this.#filter = made;
        if (audio) await this.#putTrack('audio', audio);
      }
    });
    this.#filterChange = change.catch(() => undefined);
    return change;
  }

  /**
   * Starts the microphone (`audio`) and camera (`video`) with the SDK's default constraints, without using them yet
   * (see {@link useStream}). What cannot start is left out rather than failing the whole capture, so a missing camera
   * still leaves the microphone. Never rejects: `error` says why something is missing.
   */
  async capture(audio: boolean, video: boolean): Promise<CapturedMedia> {
    let tracks: MediaStreamTrack[] = [];
    let error: ParleyError | null = null;
    try {
      if (audio || video) tracks = (await this.#getUserMedia(audio, video)).getTracks();
    } catch (failure) {
      error = failure as ParleyError;
      // Together they failed; apart, one of them may work.
      if (audio && video) {
        const apart = await Promise.allSettled([this.#acquire('audio'), this.#acquire('video')]);
        tracks = apart.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
      }
    }
    return { stream: new MediaStream(tracks), error };
  }

  /**
   * Makes a captured stream this participant's camera and microphone: `stream` is it from now on, and
   * `switchDevice()`, `setEnabled()` and the fallback from a lost device to the default one act on its tracks.
   */
  async useStream(stream: MediaStream): Promise<void> {
    for (const track of stream.getTracks()) this.#watch(track);
    this.stream = stream;
    this.emit('stream-changed');
    const camera = this.videoTrack;
    // Resolves once the effect (if any) is on the camera, so a room joins sending only the processed video.
    if (camera && this.#videoEffect) await this.#putTrack('video', camera).catch(this.#hooks.deviceFailed);
  }

  /**
   * Processes the camera with `effect` from now on, this camera and any switched to; `null` goes back to the raw
   * camera. The processed track is in `stream` and is what everyone receives. When the effect cannot start it is
   * dropped, the raw camera goes on, and this rejects with the effect's error.
   */
  async setVideoEffect(effect: VideoEffect | null): Promise<void> {
    this.#videoEffect = effect;
    const camera = this.#captured('video');
    if (camera) await this.#putTrack('video', camera);
  }

  /**
   * Turns the microphone or camera on or off (`track.enabled`, and `audioEnabled`/`videoEnabled`), starting the
   * device when it was never captured. In a meeting, use `room.toggleMicrophone()`/`toggleCamera()`: they check
   * that you are in one.
   */
  async setEnabled(kind: DeviceKind, enabled: boolean): Promise<void> {
    let track = this.#captured(kind);
    // Nothing sent: never captured, or lost (a device gone, a permission revoked) with no replacement. A microphone
    // lost under noise suppression is still its input, ended: a new one goes in its place.
    if (enabled && !this.#track(kind)) {
      track = await this.#acquire(kind);
      await this.#putTrack(kind, track);
    }
    // Noise suppression's microphone always runs under its processed track, which carries on or off; a camera under
    // a video effect goes off with the effect's output.
    if (track && track !== this.#filter?.input) track.enabled = enabled;
    const sent = this.#track(kind);
    if (sent) sent.enabled = enabled;
    await this.#announceEnabled(kind, enabled);
  }

  /**
   * Switches to another microphone or camera (a `deviceId` from `room.listDevices()`): the old track stops once the
   * new one is in `stream`, which keeps whether it was on. In a meeting everyone receives the new one without
   * renegotiation.
   */
  async switchDevice(kind: DeviceKind, deviceId: string): Promise<void> {
    const track = await this.#acquire(kind, deviceId);
    track.enabled = kind === 'audio' ? this.audioEnabled : this.videoEnabled;
    await this.#putTrack(kind, track);
  }

  /** @internal */
  startScreenShare(): Promise<void> {
    if (this.#screenStream) return Promise.resolve();
    this.#startingScreenShare ??= this.#startScreenShare().finally(() => {
      this.#startingScreenShare = null;
    });
    return this.#startingScreenShare;
  }

  async #startScreenShare(): Promise<void> {
    const generation = this.#generation;
    let stream: MediaStream;
    try {
      stream = await this.#environment.getDisplayMedia(SCREEN_CONSTRAINTS);
    } catch (error) {
      throw ParleyError.fromMediaError(error);
    }
    const track = stream.getVideoTracks()[0];
    if (generation !== this.#generation || !track) {
      for (const captured of stream.getTracks()) captured.stop();
      if (!track) throw new ParleyError(ErrorCode.NoDevice, 'The screen capture has no video');
      throw ParleyError.invalidState('Left the meeting while the screen was being chosen');
    }
    track.contentHint = 'detail';
    // Stopping from the browser's own "Stop sharing" button ends the track.
    track.addEventListener('ended', () => void this.stopScreenShare(), { once: true });
    await this.#setScreen(stream, track);
  }

  /** @internal */
  async stopScreenShare(): Promise<void> {
    const stream = this.#screenStream;
    if (!stream) return;
    for (const track of stream.getTracks()) track.stop();
    await this.#setScreen(null, null);
  }

  async #setScreen(stream: MediaStream | null, track: MediaStreamTrack | null): Promise<void> {
    this.#screenStream = stream;
    this.screenSharing = !!stream;
    this.emit('screen-share-changed');
    await this.#hooks.trackChanged('screen', track);
    await this.#hooks.mediaStateChanged();
  }

  /**
   * Lets go of the stream without stopping it, for a preview handing its tracks to a room (`join({ stream })`):
   * nothing here touches them again, and a device still starting is stopped when it arrives.
   */
  handOver(): void {
    this.#generation += 1;
    // The raw camera goes to the room, which applies its own effect.
    const processed = this.#processed;
    if (processed) {
      this.stream?.removeTrack(processed.output.track);
      this.stream?.addTrack(processed.camera);
      processed.output.stop();
      this.#processed = null;
    }
    this.stream = null;
  }

  /**
   * Stops every captured track, camera and microphone and screen: their lights go out. For a preview the person
   * walked away from; a room does it when it leaves. A device that `setEnabled()` or `switchDevice()` is still
   * starting is stopped when it arrives (what `capture()` resolves with is the caller's to stop).
   */
  stopTracks(): void {
    this.#generation += 1;
    this.#filter?.input?.stop();
    this.#filter?.close();
    this.#filter = null;
    for (const track of [...(this.stream?.getTracks() ?? []), ...(this.#screenStream?.getTracks() ?? [])]) {
      track.stop();
    }
    this.#processed?.camera.stop();
    this.#processed?.output.stop();
    this.#processed = null;
    this.stream = null;
    this.#screenStream = null;
    this.screenSharing = false;
    this.setMediaState(false, false);
    this.emit('stream-changed');
  }

  /**
   * Puts `track` in place of the current one of its kind, in our stream and on every connection: a microphone
   * through noise suppression while that is on, a camera through the video effect, if any.
   */
  #putTrack(kind: DeviceKind, track: MediaStreamTrack): Promise<void> {
    // The effect asked for now: a quicker change queued after this one must not be applied by it.
    const effect = kind === 'video' ? this.#videoEffect : null;
    const change = this.#trackChanges.then(async () => {
      const generation = this.#generation;
      const current = this.#captured(kind);
      let output: ProcessedVideo | null = null;
      let failure: unknown = null;
      try {
        output = effect && (await effect(track));
      } catch (error) {
        if (this.#videoEffect === effect) this.#videoEffect = null;
        failure = error;
      }
      if (generation !== this.#generation) {
        // Left (or handed over) meanwhile: a device started for this change must not stay on.
        output?.stop();
        if (track !== current) track.stop();
        return;
      }
      const filter = kind === 'audio' ? this.#filter : null;
      const stream = this.stream ?? new MediaStream();
      const previous = this.#track(kind);
      const previousCamera = kind === 'video' ? this.#captured('video') : null;
      const previousOutput = kind === 'video' ? this.#processed?.output : null;
      // On or off moves to what is sent (noise suppression's `process` keeps the microphone under it running).
      const enabled = track.enabled;
      const shown = output?.track ?? (filter ? filter.process(track) : track);
      shown.enabled = enabled;
      if (previous) stream.removeTrack(previous);
      stream.addTrack(shown);
      if (previousCamera !== track) this.#watch(track);
      if (kind === 'video') this.#processed = output && { camera: track, output };
      this.stream = stream;
      this.emit('stream-changed');
      await this.#hooks.trackChanged(kind, shown);
      // Only once every connection sends the new track: no gap, and no sender left holding a stopped one. Noise
      // suppression's processed track stays, and so does the microphone it processes.
      previousOutput?.stop();
      if (previous !== shown && previous !== track && previous !== previousOutput?.track && previous !== filter?.input) {
        previous?.stop();
      }
      if (previousCamera && previousCamera !== track) previousCamera.stop();
      if (failure) throw failure;
    });
    this.#trackChanges = change.catch(() => undefined);
    return change;
  }

  /** A device unplugged or permission revoked ends the track: fall back to the default device, or go without. */
  async #onTrackEnded(track: MediaStreamTrack): Promise<void> {
    const kind = track.kind as DeviceKind;
    if (this.#captured(kind) !== track) return;
    try {
      // The browser may still be letting the device go: a permission revoked one kind at a time reads as busy for a
      // moment before it reads as denied. So a busy device is asked for once more.
      const replacement = await this.#acquire(kind).catch(async (error: ParleyError) => {
        if (error.code !== ErrorCode.DeviceBusy) throw error;
        await new Promise((resolve) => setTimeout(resolve, BUSY_RETRY_MS));
        return this.#acquire(kind);
      });
      if (this.#captured(kind) !== track) {
        replacement.stop();
        return;
      }
      replacement.enabled = this.#track(kind)!.enabled;
      await this.#putTrack(kind, replacement);
    } catch (error) {
      if (this.#captured(kind) !== track) return;
      const processed = kind === 'video' ? this.#processed : null;
      this.stream?.removeTrack(this.#track(kind)!);
      processed?.output.stop();
      if (processed) this.#processed = null;
      this.emit('stream-changed');
      await this.#hooks.trackChanged(kind, null);
      // The failure below is what must reach the user: telling the others the device is off may fail (say, the
      // server is away), and their view then corrects itself at the next announcement of our media state.
      await this.#announceEnabled(kind, false).catch(() => undefined);
      this.#hooks.deviceFailed(error as ParleyError);
    }
  }

  /** Sets one kind's `audioEnabled`/`videoEnabled` and tells the hooks. */
  async #announceEnabled(kind: DeviceKind, enabled: boolean): Promise<void> {
    this.setMediaState(kind === 'audio' ? enabled : this.audioEnabled, kind === 'video' ? enabled : this.videoEnabled);
    await this.#hooks.mediaStateChanged();
  }

  #watch(track: MediaStreamTrack): void {
    // The handler property, not a listener: a track put back (noise suppression off) is not watched twice.
    track.onended = () => void this.#onTrackEnded(track);
  }

  /** The track of that kind in `stream`: what is sent. */
  #track(kind: DeviceKind): MediaStreamTrack | null {
    return kind === 'audio' ? this.audioTrack : this.videoTrack;
  }

  /**
   * The device's own track: the microphone's while noise suppression sends a processed copy of it, the raw camera's
   * under a video effect.
   */
  #captured(kind: DeviceKind): MediaStreamTrack | null {
    return (kind === 'audio' ? this.#filter?.input : this.#processed?.camera) || this.#track(kind);
  }

  async #acquire(kind: DeviceKind, deviceId?: string): Promise<MediaStreamTrack> {
    const generation = this.#generation;
    const constraints = { ...defaultMediaConstraints[kind], ...(deviceId ? { deviceId: { exact: deviceId } } : {}) };
    const permission = this.#environment.watchPermission(kind === 'audio' ? 'microphone' : 'camera');
    try {
      const stream = await this.#getUserMedia(kind === 'audio' && constraints, kind === 'video' && constraints);
      const track = stream.getTracks()[0]!;
      if (generation !== this.#generation) {
        // The meeting was left while the device started: it must not stay on.
        track.stop();
        throw ParleyError.invalidState('Left the meeting while the device was starting');
      }
      if (await permission.denied()) {
        // Revoked while the browser granted it: the browser may never end this track, so it must not be used.
        track.stop();
        throw new ParleyError(ErrorCode.PermissionDenied, 'Camera or microphone access was revoked as it started');
      }
      return track;
    } finally {
      permission.stop();
    }
  }

  async #getUserMedia(audio: boolean | MediaTrackConstraints, video: boolean | MediaTrackConstraints): Promise<MediaStream> {
    try {
      return await this.#environment.getUserMedia({
        audio: audio === true ? defaultMediaConstraints.audio : audio,
        video: video === true ? defaultMediaConstraints.video : video,
      });
    } catch (error) {
      throw ParleyError.fromMediaError(error);
    }
  }
}

/**
 * Camera and microphone outside any meeting, for a "ready to join?" preview, captured and switched the way a meeting
 * does: `capture()` then `useStream()`, `setEnabled()` for the on/off toggles, `switchDevice()`, and a lost device
 * falling back to the default one (`stream-changed`). Microphone and camera start on (`audioEnabled`,
 * `videoEnabled`). Join with the preview's `stream`, `audioEnabled` and `videoEnabled` (`room.join({ stream, audio,
 * video })`), then `handOver()`; or `stopTracks()` if the person goes away. See "Preview before joining" in
 * docs/sdk.md.
 */
export function createPreview(environment: Environment = browserEnvironment): LocalParticipant {
  // Nobody to send to or tell. A lost device with no replacement leaves `stream` (`stream-changed`): what a preview
  // shows.
  const nothing = async (): Promise<void> => undefined;
  const preview = new LocalParticipant(environment, { trackChanged: nothing, mediaStateChanged: nothing, deviceFailed: nothing });
  preview.setMediaState(true, true);
  return preview;
}
