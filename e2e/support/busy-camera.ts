import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A camera that gives the encoder real work: Chromium's built-in fake camera draws a flat frame
 * with a small moving shape, which compresses to a few hundred kbit/s at any size, so on a shaped
 * link it never fills its budget and the congestion controller never learns what the link carries
 * (its estimate stays where it was — see the bandwidth suite). A real camera in a clinic fills it.
 * This writes a short y4m loop of fine moving texture (a different grain every frame) that
 * `--use-file-for-fake-video-capture` plays as the camera, 1280×720 like the levels assume.
 */
const W = 1280;
const H = 720;
const FRAMES = 12;

/** xorshift32: the same grain on every run, so the figures of one run compare with the next. */
function grain(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
}

function frame(i: number): Buffer {
  const rnd = grain(0x9e3779b9 ^ (i * 2654435761));
  const y = Buffer.alloc(W * H);
  for (let row = 0; row < H; row++) {
    for (let col = 0; col < W; col++) {
      // A gradient that drifts with the frame plus grain: detail everywhere, nothing to predict.
      y[row * W + col] = (((row + col + i * 16) >> 2) & 0x7f) + rnd(128);
    }
  }
  const uv = Buffer.alloc((W / 2) * (H / 2));
  for (let k = 0; k < uv.length; k++) uv[k] = 96 + rnd(64);
  return Buffer.concat([Buffer.from('FRAME\n'), y, uv, Buffer.from(uv).reverse()]);
}

/** The path of the loop, written once per machine (about 17 MB in the temp directory). */
export function busyCameraFile(): string {
  const file = path.join(os.tmpdir(), `oblako-busy-camera-${W}x${H}-${FRAMES}.y4m`);
  if (fs.existsSync(file)) return file;
  const tmp = `${file}.${process.pid}.part`;
  const out = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(out, `YUV4MPEG2 W${W} H${H} F30:1 Ip A1:1 C420jpeg\n`);
    for (let i = 0; i < FRAMES; i++) fs.writeSync(out, frame(i));
  } finally {
    fs.closeSync(out);
  }
  fs.renameSync(tmp, file);
  return file;
}

/** The browser flag that makes the fake camera play the loop. */
export function busyCameraArgs(): string[] {
  return [`--use-file-for-fake-video-capture=${busyCameraFile()}`];
}
