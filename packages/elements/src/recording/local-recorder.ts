import type { Participant } from '@parley/sdk';
import type { RoomLike } from '../room-like.js';
import { withDuration } from './webm-duration.js';

/**
 * Local recording, a chunk fetched the first time someone records: the meeting as a 1280×720 grid of everyone's
 * video with their names, and everyone's audio mixed, recorded to WebM in this browser. It reads each participant's
 * tracks, so it records the same in mesh and SFU mode; nothing is sent anywhere.
 */

const WIDTH = 1280;
const HEIGHT = 720;
const FRAME_RATE = 24;
const GAP = 8;
/** The first of these the browser records (Chromium: all of them); VP8 first, the cheapest to encode. */
const MIME_TYPES = ['video/webm;codecs=vp8,opus', 'video/webm;codecs=vp9,opus', 'video/webm'];

/** A recording, finished: the WebM file and the name to save it under. */
export interface Recording {
  blob: Blob;
  fileName: string;
}

/** One picture in the grid: a participant's camera, or the screen they share. */
interface Tile {
  participant: Participant;
  stream: MediaStream | null;
  label: string;
}

export class LocalRecorder {
  readonly #room: Pick<RoomLike, 'localParticipant' | 'participants'>;
  readonly #canvas = document.createElement('canvas');
  readonly #context: CanvasRenderingContext2D;
  readonly #audio = new AudioContext();
  readonly #mix = this.#audio.createMediaStreamDestination();
  /** The audio tracks mixed in, by track, with the node that feeds each to the mix. */
  readonly #sources = new Map<MediaStreamTrack, MediaStreamAudioSourceNode>();
  /** A playing `<video>` per stream drawn, out of the page: the canvas draws from it. */
  readonly #videos = new Map<MediaStream, HTMLVideoElement>();
  readonly #chunks: Blob[] = [];
  readonly #recorder: MediaRecorder;
  /** The canvas's picture and the mix: what the recorder records. */
  readonly #tracks: MediaStreamTrack[];
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #fileName: string;

  /** Starts recording `room` at once. */
  constructor(room: Pick<RoomLike, 'localParticipant' | 'participants'>, meetingCode: string) {
    this.#room = room;
    this.#canvas.width = WIDTH;
    this.#canvas.height = HEIGHT;
    this.#context = this.#canvas.getContext('2d')!;
    // Created outside a click the context may start suspended.
    void this.#audio.resume();
    this.#draw();
    this.#tracks = [...this.#canvas.captureStream(FRAME_RATE).getVideoTracks(), ...this.#mix.stream.getAudioTracks()];
    const mimeType = MIME_TYPES.find((type) => MediaRecorder.isTypeSupported(type)) ?? '';
    this.#recorder = new MediaRecorder(new MediaStream(this.#tracks), { mimeType });
    this.#recorder.ondataavailable = ({ data }) => data.size > 0 && this.#chunks.push(data);
    // A chunk a second: a long recording does not sit in one growing buffer inside the encoder.
    this.#recorder.start(1000);
    // A timer, not animation frames: those stop when the tab is hidden (a timer slows to once a second there).
    this.#timer = setInterval(() => this.#draw(), 1000 / FRAME_RATE);
    const stamp = new Date().toISOString().slice(0, 16).replace('T', ' ').replace(':', '.');
    this.#fileName = `${meetingCode || 'meeting'} ${stamp}.webm`;
  }

  /** Stops, lets go of everything, and resolves to the file (with its duration written in). */
  async stop(): Promise<Recording> {
    clearInterval(this.#timer);
    const stopped = new Promise((resolve) => this.#recorder.addEventListener('stop', resolve, { once: true }));
    if (this.#recorder.state !== 'inactive') this.#recorder.stop();
    await stopped;
    for (const track of this.#tracks) track.stop();
    for (const video of this.#videos.values()) video.srcObject = null;
    await this.#audio.close();
    const webm = new Uint8Array(await new Blob(this.#chunks).arrayBuffer());
    return { blob: new Blob([withDuration(webm)], { type: 'video/webm' }), fileName: this.#fileName };
  }

  #tiles(): Tile[] {
    const people = [this.#room.localParticipant, ...this.#room.participants.values()];
    const screens = people.flatMap((participant) =>
      participant.screenStream ? [{ participant, stream: participant.screenStream, label: participant.name }] : [],
    );
    return [...screens, ...people.map((participant) => ({ participant, stream: participant.stream, label: participant.name }))];
  }

  /** One frame: the grid as the page lays it out (columns for a near-square grid of 16:9 tiles), and the audio mix kept current. */
  #draw(): void {
    const tiles = this.#tiles();
    this.#mixAudio(tiles);
    const context = this.#context;
    context.fillStyle = '#202124';
    context.fillRect(0, 0, WIDTH, HEIGHT);
    const columns = Math.ceil(Math.sqrt(tiles.length));
    const rows = Math.ceil(tiles.length / columns);
    const cellWidth = (WIDTH - GAP * (columns + 1)) / columns;
    const cellHeight = (HEIGHT - GAP * (rows + 1)) / rows;
    const width = Math.min(cellWidth, (cellHeight * 16) / 9);
    const height = (width * 9) / 16;
    tiles.forEach((tile, index) => {
      const x = GAP + (index % columns) * (cellWidth + GAP) + (cellWidth - width) / 2;
      const y = GAP + Math.floor(index / columns) * (cellHeight + GAP) + (cellHeight - height) / 2;
      this.#drawTile(tile, x, y, width, height);
    });
    // Streams no longer shown stop playing.
    const shown = new Set(tiles.map(({ stream }) => stream));
    for (const [stream, video] of this.#videos) {
      if (shown.has(stream)) continue;
      video.srcObject = null;
      this.#videos.delete(stream);
    }
  }

  #drawTile({ participant, stream, label }: Tile, x: number, y: number, width: number, height: number): void {
    const context = this.#context;
    context.fillStyle = '#3c4043';
    context.fillRect(x, y, width, height);
    const video = stream && stream.getVideoTracks().length > 0 ? this.#videoOf(stream) : null;
    const showsVideo = video && video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA && (participant.videoEnabled || stream !== participant.stream);
    if (showsVideo) {
      // Cover the tile, as the page's tiles do: cut the overflow, keep the proportions.
      const scale = Math.max(width / video.videoWidth, height / video.videoHeight);
      const [sourceWidth, sourceHeight] = [width / scale, height / scale];
      context.drawImage(video, (video.videoWidth - sourceWidth) / 2, (video.videoHeight - sourceHeight) / 2, sourceWidth, sourceHeight, x, y, width, height);
    } else {
      context.fillStyle = '#e8eaed';
      context.font = `${Math.round(height / 4)}px system-ui, sans-serif`;
      context.textAlign = 'center';
      context.textBaseline = 'middle';
      context.fillText(label.trim().charAt(0).toUpperCase(), x + width / 2, y + height / 2);
    }
    const fontSize = Math.max(14, Math.round(height / 14));
    context.font = `${fontSize}px system-ui, sans-serif`;
    context.textAlign = 'left';
    context.textBaseline = 'bottom';
    const textWidth = context.measureText(label).width;
    context.fillStyle = 'rgb(0 0 0 / 0.6)';
    context.fillRect(x, y + height - fontSize * 1.6, Math.min(width, textWidth + fontSize), fontSize * 1.6);
    context.fillStyle = '#fff';
    context.fillText(label, x + fontSize / 2, y + height - fontSize * 0.3, width - fontSize);
  }

  #videoOf(stream: MediaStream): HTMLVideoElement {
    let video = this.#videos.get(stream);
    if (!video) {
      video = document.createElement('video');
      video.muted = true;
      video.playsInline = true;
      video.srcObject = stream;
      void video.play().catch(() => undefined);
      this.#videos.set(stream, video);
    }
    return video;
  }

  /** Every live audio track of the meeting into the mix (microphones, a shared tab's sound), each once. */
  #mixAudio(tiles: readonly Tile[]): void {
    const live = new Set(tiles.flatMap(({ stream }) => stream?.getAudioTracks() ?? []).filter((track) => track.readyState === 'live'));
    for (const track of live) {
      if (this.#sources.has(track)) continue;
      const source = this.#audio.createMediaStreamSource(new MediaStream([track]));
      source.connect(this.#mix);
      this.#sources.set(track, source);
    }
    for (const [track, source] of this.#sources) {
      if (live.has(track)) continue;
      source.disconnect();
      this.#sources.delete(track);
    }
  }
}
