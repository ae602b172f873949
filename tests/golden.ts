// Reads the golden vectors in ../shared/golden (see its README): for each model, its .tflite, its
// inputs and TensorFlow Lite Micro's reference outputs, split into samples.

import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { convertTflite } from '../models/convert.js';
import { loadModel, type Build } from '../host/index.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHARED = join(ROOT, '..', 'shared');
export const GOLDEN = join(SHARED, 'golden');
export const MLPERF = join(SHARED, 'models', 'mlperf-tiny');
export const INT8_MODELS = ['kws_ref_model', 'vww_96_int8', 'pretrainedResnet_quant', 'ad01_int8'];

export interface GoldenCase {
  name: string;
  tflitePath: string;
  sha256: string;
  n: number;
  inputs: { dtype: string; bytesPerSample: number; data: Uint8Array }[];
  output: { dtype: string; bytesPerSample: number; data: Uint8Array };
}

const read = (p: string) => new Uint8Array(readFileSync(p));
const DTYPE_BYTES: Record<string, number> = { int8: 1, float32: 4, int32: 4, int16: 2, uint8: 1 };
const bytesOf = (shape: number[], dtype: string) => shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[dtype]!;

/** Only the names listed in env GOLDEN (comma-separated), when it is set. */
export function selected(name: string): boolean {
  const only = process.env.GOLDEN;
  return !only || only.split(',').includes(name);
}

export function mlperfCase(name: string): GoldenCase {
  const meta = JSON.parse(readFileSync(join(GOLDEN, `${name}.json`), 'utf8'));
  return {
    name, tflitePath: join(MLPERF, meta.model), sha256: meta.model_sha256, n: meta.n,
    inputs: [{ dtype: meta.input.dtype, bytesPerSample: meta.input.bytes_per_sample, data: read(join(GOLDEN, meta.files.inputs)) }],
    output: { dtype: meta.output.dtype, bytesPerSample: meta.output.bytes_per_sample, data: read(join(GOLDEN, meta.files.outputs)) },
  };
}

export function opCases(): GoldenCase[] {
  const dir = join(GOLDEN, 'ops');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => {
    const meta = JSON.parse(readFileSync(join(dir, f), 'utf8'));
    const out = meta.outputs[0];
    return {
      name: f.replace(/\.json$/, ''), tflitePath: join(dir, meta.model), sha256: meta.sha256, n: meta.n,
      inputs: meta.inputs.map((i: { dtype: string; shape: number[]; file: string }) => ({
        dtype: i.dtype, bytesPerSample: bytesOf(i.shape, i.dtype), data: read(join(dir, i.file)),
      })),
      output: { dtype: out.dtype, bytesPerSample: bytesOf(out.shape, out.dtype), data: read(join(dir, out.files.reference)) },
    };
  });
}

/** The case's samples as one stream, as a bundle reads them: sample i's inputs in order, then sample i + 1's. */
export function stdinOf(c: GoldenCase): Uint8Array {
  const perSample = c.inputs.reduce((n, i) => n + i.bytesPerSample, 0);
  const out = new Uint8Array(perSample * c.n);
  let at = 0;
  for (let s = 0; s < c.n; s++) {
    for (const inp of c.inputs) {
      out.set(inp.data.subarray(s * inp.bytesPerSample, (s + 1) * inp.bytesPerSample), at);
      at += inp.bytesPerSample;
    }
  }
  return out;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Sample i of a back-to-back file, as a typed array of the dtype (copied: aligned). */
export function sample(data: Uint8Array, bytesPerSample: number, i: number, dtype: string) {
  const bytes = data.slice(i * bytesPerSample, (i + 1) * bytesPerSample);
  return dtype === 'float32' ? new Float32Array(bytes.buffer) : new Int8Array(bytes.buffer);
}

/** Empty when equal; else a message naming the first differing byte and how many differ. */
export function compareBytes(label: string, expected: Uint8Array, actual: Uint8Array): string {
  if (expected.length !== actual.length) return `${label}: ${actual.length} bytes, expected ${expected.length}`;
  let first = -1;
  let count = 0;
  for (let i = 0; i < expected.length; i++) {
    if (expected[i] !== actual[i]) {
      if (first < 0) first = i;
      count++;
    }
  }
  if (count === 0) return '';
  return `${label}: ${count}/${expected.length} bytes differ; first at byte ${first}: expected ${expected[first]}, got ${actual[first]}`;
}

export const asBytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Convert the case's model, run every sample through the library, and list every differing output. */
export async function runGolden(c: GoldenCase, build: Build): Promise<string[]> {
  const tflite = new Uint8Array(readFileSync(c.tflitePath));
  assert.equal(sha256(tflite), c.sha256, `${c.name}: model file differs from the one the goldens were made with`);
  const model = await loadModel(convertTflite(tflite, c.name).bytes, { name: c.name, build });
  assert.equal(model.build, build);
  const problems: string[] = [];
  for (let i = 0; i < c.n; i++) {
    const xs = c.inputs.map((inp) => sample(inp.data, inp.bytesPerSample, i, inp.dtype));
    const [y] = model.run(...xs);
    const expected = c.output.data.subarray(i * c.output.bytesPerSample, (i + 1) * c.output.bytesPerSample);
    const diff = compareBytes(`${c.name} (${build}) sample ${i}`, expected, asBytes(y!));
    if (diff) problems.push(diff);
  }
  return problems;
}
