// The runtimes the model benchmark compares, each as a loader from the same .tflite bytes to a
// function that runs one int8 sample: edgewasm's two builds and the peers of ../shared/PEERS.md.
// A peer that cannot load is reported with its reason, never dropped silently. Before timing,
// each runtime's outputs on every golden sample are compared with TFLite Micro's (the golden
// outputs): exact samples, top-1 agreement and the largest difference in output units.

import { convertTflite } from '../models/convert.js';
import { loadModel, type Build } from '../host/index.js';
import { loadTfliteModel, type TfliteBuild } from './peers/tfjs-tflite.js';
import { loadOrtModel } from './peers/onnxruntime-web.js';
import type { GoldenCase } from '../tests/golden.js';

export type RunOne = (x: Int8Array) => ArrayLike<number> | Promise<ArrayLike<number>>;

export interface Runtime {
  name: string;
  peer: boolean;
  load(tflite: Uint8Array, model: string): Promise<RunOne>;
}

const edgewasm = (build: Build): Runtime => ({
  name: `edgewasm ${build}`,
  peer: false,
  async load(tflite, model) {
    const m = await loadModel(convertTflite(tflite, model).bytes, { name: model, build });
    return (x) => m.run(x)[0]!;
  },
});

const tfjsTflite = (build: TfliteBuild): Runtime => ({
  name: `tfjs-tflite ${build}`,
  peer: true,
  async load(tflite) {
    const m = await loadTfliteModel(tflite, build);
    return (x) => m.run(x);
  },
});

const onnxruntimeWeb: Runtime = {
  name: 'onnxruntime-web',
  peer: true,
  async load(tflite, model) {
    const m = await loadOrtModel(tflite, model);
    return (x) => m.run(x);
  },
};

export const RUNTIMES: Runtime[] = [edgewasm('simd'), edgewasm('mvp'), tfjsTflite('simd'), tfjsTflite('scalar'), onnxruntimeWeb];

export interface Agreement { exact: number; top1: number; n: number; maxDiff: number }

const argmax = (a: ArrayLike<number>) => {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i]! > a[best]!) best = i;
  return best;
};

/** Runs every golden sample through `run` and compares the int8 outputs with the golden ones. */
export async function agreement(c: GoldenCase, inputs: Int8Array[], run: RunOne): Promise<Agreement> {
  const result: Agreement = { exact: 0, top1: 0, n: inputs.length, maxDiff: 0 };
  for (let i = 0; i < inputs.length; i++) {
    const y = await run(inputs[i]!);
    const start = c.output.data.byteOffset + i * c.output.bytesPerSample;
    const expected = new Int8Array(c.output.data.buffer, start, c.output.bytesPerSample);
    if (y.length !== expected.length) throw new Error(`${c.name}: ${y.length} outputs, golden has ${expected.length}`);
    let diff = 0;
    for (let k = 0; k < expected.length; k++) diff = Math.max(diff, Math.abs(expected[k]! - y[k]!));
    if (diff === 0) result.exact++;
    if (argmax(y) === argmax(expected)) result.top1++;
    result.maxDiff = Math.max(result.maxDiff, diff);
  }
  return result;
}
