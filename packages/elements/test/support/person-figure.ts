/**
 * A camera image with a person in it, for background blur's tests: no photo of one ships with anything installed
 * here, so a head-and-shoulders figure (hair, eyes, a sweater) in front of a bookshelf of thin colourful stripes
 * (fine detail a blur removes). MediaPipe's selfie model finds the figure (checked when this was written: its mask
 * covers head, neck and shoulders and none of the shelf). Runs in a page (an e2e test passes it to `evaluate` as a string).
 */
export function drawFigure(width: number, height: number): ImageData['data'] {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const c = canvas.getContext('2d')!;
  // A bookshelf-like background: fine vertical stripes of many colours (high-frequency detail).
  for (let x = 0; x < width; x += 6) {
    c.fillStyle = `hsl(${(x * 37) % 360} 55% ${40 + ((x * 13) % 30)}%)`;
    c.fillRect(x, 0, 6, height);
  }
  for (let y = 0; y < height; y += 48) {
    c.fillStyle = '#5a3b1e';
    c.fillRect(0, y, width, 6);
  }
  const cx = width / 2;
  // Shoulders and torso: a dark sweater.
  c.fillStyle = '#2b3a55';
  c.beginPath();
  c.moveTo(cx - width * 0.3, height);
  c.bezierCurveTo(cx - width * 0.3, height * 0.72, cx - width * 0.18, height * 0.66, cx - width * 0.06, height * 0.64);
  c.lineTo(cx + width * 0.06, height * 0.64);
  c.bezierCurveTo(cx + width * 0.18, height * 0.66, cx + width * 0.3, height * 0.72, cx + width * 0.3, height);
  c.closePath();
  c.fill();
  // Neck.
  c.fillStyle = '#d9a47f';
  c.fillRect(cx - width * 0.04, height * 0.52, width * 0.08, height * 0.14);
  // Head.
  c.beginPath();
  c.ellipse(cx, height * 0.38, width * 0.085, height * 0.2, 0, 0, Math.PI * 2);
  c.fill();
  // Hair.
  c.fillStyle = '#3b2414';
  c.beginPath();
  c.ellipse(cx, height * 0.27, width * 0.09, height * 0.11, 0, Math.PI, Math.PI * 2);
  c.fill();
  // Eyes, brows, nose, mouth.
  c.fillStyle = '#222';
  for (const side of [-1, 1]) {
    c.beginPath();
    c.ellipse(cx + side * width * 0.032, height * 0.36, width * 0.01, height * 0.012, 0, 0, Math.PI * 2);
    c.fill();
    c.fillRect(cx + side * width * 0.032 - width * 0.015, height * 0.325, width * 0.03, height * 0.008);
  }
  c.fillStyle = '#b5654f';
  c.fillRect(cx - width * 0.025, height * 0.47, width * 0.05, height * 0.012);
  c.fillStyle = '#c98d6b';
  c.fillRect(cx - width * 0.006, height * 0.38, width * 0.012, height * 0.06);
  return c.getImageData(0, 0, width, height).data;
}

