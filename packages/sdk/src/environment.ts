/**
 * The browser APIs the SDK touches, behind one interface, so the negotiation and room logic can be driven by
 * fakes in tests and by other runtimes (e.g. a native WebRTC binding) in production.
 */
export interface Environment {
  getUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream>;
  getDisplayMedia(options: DisplayMediaStreamOptions): Promise<MediaStream>;
  enumerateDevices(): Promise<MediaDeviceInfo[]>;
  /** Calls `listener` when devices are plugged in or out; returns a function that stops listening. */
  onDeviceChange(listener: () => void): () => void;
  createPeerConnection(configuration: RTCConfiguration): RTCPeerConnection;
  /** Calls `listener` when the page is being unloaded; returns a function that stops listening. */
  onPageHide(listener: () => void): () => void;
  /**
   * Watches the camera or microphone permission: `denied()` says whether it read as denied at any point since.
   * Chromium can grant a request while the permission is being revoked and then never end that track, so a track
   * handed out while this watched is checked before it is used.
   */
  watchPermission(name: 'camera' | 'microphone'): PermissionWatch;
}

/** What {@link Environment.watchPermission} returns. */
export interface PermissionWatch {
  /** Whether the permission read as denied at any point since the watch began. */
  denied(): Promise<boolean>;
  /** Ends the watch. */
  stop(): void;
}

export const browserEnvironment: Environment = {
  getUserMedia: (constraints) => navigator.mediaDevices.getUserMedia(constraints),
  getDisplayMedia: (options) => navigator.mediaDevices.getDisplayMedia(options),
  enumerateDevices: () => navigator.mediaDevices.enumerateDevices(),
  onDeviceChange: (listener) => {
    navigator.mediaDevices.addEventListener('devicechange', listener);
    return () => navigator.mediaDevices.removeEventListener('devicechange', listener);
  },
  createPeerConnection: (configuration) => new RTCPeerConnection(configuration),
  onPageHide: (listener) => {
    addEventListener('pagehide', listener);
    return () => removeEventListener('pagehide', listener);
  },
  watchPermission: (name) => {
    let denied = false;
    let stopped = false;
    let status: PermissionStatus | undefined;
    const read = (): void => void (denied ||= status?.state === 'denied');
    // Browsers that cannot query this permission never read as denied here: their refusals reject the request.
    const ready = navigator.permissions.query({ name: name as PermissionName }).then(
      (found) => {
        status = found;
        read();
        if (!stopped) found.addEventListener('change', read);
      },
      () => undefined,
    );
    return {
      denied: () => ready.then(() => (read(), denied)),
      stop: () => {
        stopped = true;
        status?.removeEventListener('change', read);
      },
    };
  },
};

/**
 * Capture settings from the design: at most 720p, 15–30 fps (the encoder adapts within that range under load),
 * and the browser's voice processing on.
 */
export const defaultMediaConstraints = {
  audio: {
    echoCancellation: true,
    noiseSuppression: true,
    autoGainControl: true,
  },
  video: {
    width: { ideal: 1280, max: 1280 },
    height: { ideal: 720, max: 720 },
    frameRate: { ideal: 30, max: 30 },
  },
} satisfies { audio: MediaTrackConstraints; video: MediaTrackConstraints };
