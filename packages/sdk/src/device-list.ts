/** The devices a browser offers, by kind. */
export interface DeviceList {
  microphones: MediaDeviceInfo[];
  cameras: MediaDeviceInfo[];
  speakers: MediaDeviceInfo[];
}
