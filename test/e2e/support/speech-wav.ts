import { writeFileSync } from 'node:fs';

/**
 * Writes a WAV file that sounds enough like speech for the browser's voice processing to let it through: a voiced
 * buzz (a 140 Hz fundamental with falling harmonics) in syllables of 180 ms, with 70 ms gaps, for `seconds`.
 * Chromium plays it as the fake microphone with `--use-file-for-fake-audio-capture=<path>` (looping).
 * The default fake microphone only beeps, which noise suppression reduces to near silence.
 */
export function writeSpeechLikeWav(path: string, seconds = 10, sampleRate = 48_000): void {
  const samples = seconds * sampleRate;
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) {
    const t = i / sampleRate;
    const inSyllable = t % 0.25 < 0.18;
    const envelope = inSyllable ? Math.sin((Math.PI * (t % 0.25)) / 0.18) : 0;
    let value = 0;
    for (let harmonic = 1; harmonic <= 8; harmonic++) value += Math.sin(2 * Math.PI * 140 * harmonic * t) / harmonic;
    data.writeInt16LE(Math.round(0.35 * envelope * value * 32767 / 2), i * 2);
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28); // byte rate
  header.writeUInt16LE(2, 32); // block align
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  writeFileSync(path, Buffer.concat([header, data]));
}
