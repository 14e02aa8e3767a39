/** `frames` copies of an RGBA image as a YUV4MPEG2 (4:2:0) file, what `--use-file-for-fake-video-capture` plays. */
export function y4mOf(rgba: Uint8ClampedArray | number[], width: number, height: number, frames: number): Buffer {
  const luma = Buffer.alloc(width * height);
  const chroma = [Buffer.alloc((width / 2) * (height / 2)), Buffer.alloc((width / 2) * (height / 2))];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const [r, g, b] = [rgba[i]!, rgba[i + 1]!, rgba[i + 2]!];
      luma[y * width + x] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
      if (x % 2 === 0 && y % 2 === 0) {
        const j = (y / 2) * (width / 2) + x / 2;
        chroma[0]![j] = Math.round(128 - 0.168736 * r - 0.331264 * g + 0.5 * b);
        chroma[1]![j] = Math.round(128 + 0.5 * r - 0.418688 * g - 0.081312 * b);
      }
    }
  }
  const frame = Buffer.concat([Buffer.from('FRAME\n'), luma, chroma[0]!, chroma[1]!]);
  return Buffer.concat([Buffer.from(`YUV4MPEG2 W${width} H${height} F20:1 Ip A1:1 C420jpeg\n`), ...Array(frames).fill(frame)]);
}
