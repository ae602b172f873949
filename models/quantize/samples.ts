// Calibration samples for post-training quantization, from a file or a directory of files: raw
// float32 little-endian values, whole samples back to back, or NumPy .npy arrays of '<f4' (C order)
// holding whole samples. One model input (models with several inputs are refused: a raw file
// cannot say where one input's values end). Every refusal names the file and what is wrong.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, basename } from 'node:path';
import { ConvertError, elementCount, type Graph } from '../graph.js';

const NPY_MAGIC = '\x93NUMPY';

// The float32 values of a .npy file: magic, version, header length, a Python dict literal header.
function npyValues(bytes: Uint8Array, file: string): Float32Array {
  const fail = (what: string): never => { throw new ConvertError(`${file}: ${what}`); };
  if (bytes.length < 10) fail(`${bytes.length} bytes, too short for a .npy file`);
  const major = bytes[6]!;
  const headerAt = major === 1 ? 10 : 12;
  if (major < 1 || major > 3) fail(`.npy version ${major}, expected 1, 2 or 3`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (headerAt + headerLength > bytes.length) fail(`.npy header length ${headerLength} runs past the end of the file`);
  const header = new TextDecoder('latin1').decode(bytes.subarray(headerAt, headerAt + headerLength));
  const descr = /'descr':\s*'([^']*)'/.exec(header)?.[1];
  if (descr !== '<f4') fail(`.npy dtype ${descr ?? '(none)'}, expected '<f4' (float32, little-endian)`);
  if (/'fortran_order':\s*True/.test(header)) fail('.npy array in Fortran order; save it in C order');
  const data = bytes.subarray(headerAt + headerLength);
  if (data.length % 4 !== 0) fail(`.npy data of ${data.length} bytes is not whole float32 values`);
  return new Float32Array(data.slice().buffer);
}

function fileValues(path: string): Float32Array {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new ConvertError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const file = basename(path);
  if (new TextDecoder('latin1').decode(bytes.subarray(0, 6)) === NPY_MAGIC) return npyValues(bytes, file);
  if (bytes.length % 4 !== 0) throw new ConvertError(`${file}: ${bytes.length} bytes is not whole float32 values`);
  return new Float32Array(bytes.slice().buffer);
}

/** The samples at `path` (a file, or every file in a directory, in name order), split per sample. */
export function readSamples(path: string, graph: Graph): Float32Array[][] {
  if (graph.inputs.length !== 1) throw new ConvertError(`calibration takes models with one input; this one has ${graph.inputs.length}`);
  const input = graph.tensors[graph.inputs[0]!]!;
  const per = elementCount(input.shape);
  let files: string[];
  try {
    files = statSync(path).isDirectory() ? readdirSync(path).sort().map((f) => join(path, f)).filter((f) => statSync(f).isFile()) : [path];
  } catch (e) {
    throw new ConvertError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (files.length === 0) throw new ConvertError(`${path}: no sample files in the directory`);
  const samples: Float32Array[][] = [];
  for (const f of files) {
    const values = fileValues(f);
    if (values.length === 0 || values.length % per !== 0) {
      throw new ConvertError(`${basename(f)}: ${values.length} float32 values is not a whole number of samples of input '${input.name}' [${input.shape}] (${per} values each)`);
    }
    for (let i = 0; i < values.length; i += per) {
      const sample = values.slice(i, i + per);
      if (!sample.every(Number.isFinite)) throw new ConvertError(`${basename(f)}: sample ${i / per} holds a value that is not finite`);
      samples.push([sample]);
    }
  }
  return samples;
}
