/** The cumulative counters of an audio stats entry (inbound-rtp or media-source). */
export interface AudioEnergy {
  totalAudioEnergy: number;
  totalSamplesDuration: number;
}

/** RMS level between two readings of cumulative audio energy (energy is the integral of the squared level). */
export function averageLevel(previous: AudioEnergy | undefined, current: AudioEnergy | undefined): number {
  if (!previous || !current) return 0;
  const duration = current.totalSamplesDuration - previous.totalSamplesDuration;
  const energy = current.totalAudioEnergy - previous.totalAudioEnergy;
  return duration > 0 && energy > 0 ? Math.min(1, Math.sqrt(energy / duration)) : 0;
}
