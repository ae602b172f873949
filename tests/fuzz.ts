// The fuzzer's cases: seeded mutations of real .ewm and .tflite files, and the properties each case
// must keep. Used by tests/fuzz.test.ts (a small sample in `npm test`, plus every seed that ever
// failed) and by tests/fuzz-run.ts (`npm run fuzz`, the large run, in child processes that a
// watchdog kills when a case overruns its time bound).
//
// A case is (kind, seed): the seed picks the base file and the mutation, so a failure is replayed by
// its seed alone. Properties: the loader (or the converter) either accepts the file or refuses it
// with its documented error (EwmError / ConvertError, a message starting with the file's name); it
// never throws anything else (a wasm trap, a TypeError, a RangeError), and a file it accepts runs on
// zero inputs and returns outputs of the declared sizes.

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import * as F from '../host/format.js';
import { loadModel, EwmError } from '../host/index.js';
import { DTYPE_SIZES } from '../host/ewm.js';
import { loadRuntimeModule, type Build } from '../host/wasm-source.js';
import { convertTflite } from '../models/convert.js';
import { ConvertError } from '../models/graph.js';
import { mulberry32 } from '../models/prng.js';
import { ERR_NO_MEMORY } from '../assembly/status.js';
import { GOLDEN } from './golden.js';

export type FuzzKind = 'ewm' | 'tflite';

/** The seed files: every one-operator golden model (so every op's checks are reached) and a block. */
export function seedFiles(): { name: string; tflite: Uint8Array; ewm: Uint8Array }[] {
  const dir = join(GOLDEN, 'ops');
  return readdirSync(dir).filter((f) => f.endsWith('.tflite')).sort().map((f) => {
    const tflite = new Uint8Array(readFileSync(join(dir, f)));
    return { name: f, tflite, ewm: convertTflite(tflite, f).bytes };
  });
}

// Values that sit on the edges of u32 / i32 fields.
const EDGES = [0, 1, 2, 3, 4, 15, 16, 17, 63, 64, 255, 256, 0x7fff, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffff0];

/** One mutation of `base`, chosen by `rand`; `sealed` ones get a correct file_size and CRC. */
export function mutate(base: Uint8Array, rand: () => number, kind: FuzzKind): Uint8Array {
  const pick = (n: number) => Math.floor(rand() * n);
  let bytes = base.slice();
  const rounds = 1 + pick(3);
  for (let r = 0; r < rounds; r++) {
    const how = pick(7);
    if (how === 0) { // bit flips
      for (let k = 1 + pick(8); k > 0; k--) bytes[pick(bytes.length)]! ^= 1 << pick(8);
    } else if (how === 1) { // truncation
      bytes = bytes.slice(0, pick(bytes.length));
    } else if (how === 2) { // extension with random bytes
      const more = new Uint8Array(bytes.length + 1 + pick(256));
      more.set(bytes);
      for (let i = bytes.length; i < more.length; i++) more[i] = pick(256);
      bytes = more;
    } else if (how === 3 || how === 4) { // a 32-bit field set to an edge value, or to the file's size
      if (bytes.length < 4) continue;
      // For .ewm, favour the header and the tables (where offsets and sizes live).
      const limit = kind === 'ewm' && rand() < 0.7 ? Math.min(bytes.length, 1024) : bytes.length;
      const at = pick(limit - 3) & ~3;
      const value = rand() < 0.8 ? EDGES[pick(EDGES.length)]! : bytes.length + pick(9) - 4;
      new DataView(bytes.buffer).setUint32(at, value >>> 0, true);
    } else if (how === 5 && kind === 'ewm' && bytes.length >= F.HEADER_SIZE) { // a random op code
      const view = new DataView(bytes.buffer);
      const table = view.getUint32(F.H_OP_TABLE, true);
      const ops = view.getUint32(F.H_OP_COUNT, true);
      const at = table + pick(Math.max(1, Math.min(ops, 64))) * F.OP_RECORD_SIZE;
      if (at + 2 <= bytes.length) view.setUint16(at + F.O_CODE, pick(F.OP_COUNT + 2), true);
    } else { // a random byte in the first 1 KiB (header, tables, small params)
      bytes[pick(Math.min(bytes.length, 1024))] = pick(256);
    }
  }
  if (kind === 'ewm' && bytes.length >= F.HEADER_SIZE && rand() < 0.9) {
    // Most cases keep the file's own size and CRC right, so they reach the checks behind them.
    const view = new DataView(bytes.buffer);
    view.setUint32(F.H_FILE_SIZE, bytes.length, true);
    view.setUint32(F.H_CRC32, crc32(bytes.subarray(F.CRC_START)), true);
  }
  return bytes;
}

/** The case for (kind, seed): its base file's name and its bytes. */
export function fuzzCase(seeds: ReturnType<typeof seedFiles>, kind: FuzzKind, seed: number): { name: string; bytes: Uint8Array } {
  const rand = mulberry32(seed);
  const base = seeds[Math.floor(rand() * seeds.length)]!;
  return { name: base.name, bytes: mutate(kind === 'ewm' ? base.ewm : base.tflite, rand, kind) };
}

/** What a case did: 'loaded', 'refused', or a failure message (the property broken). */
export type Outcome = 'loaded' | 'refused' | { failure: string };

const documented = (e: unknown, name: string) =>
  (e instanceof EwmError || e instanceof ConvertError) && e.message.startsWith(name);

// The memory cap of a fuzz case: mutated sizes would otherwise have cases grow memory to the
// default cap and run for seconds; the cap's own refusal is a documented outcome.
const FUZZ_MAX_MEMORY = 16 << 20;

/**
 * Loads the .ewm bytes and, if they load, runs them once on zeros and checks the output sizes.
 * `converted`: the bytes are the converter's, so only the memory cap may refuse them.
 */
async function loadAndRun(bytes: Uint8Array, name: string, runtime: WebAssembly.Module, converted: boolean): Promise<Outcome> {
  let model;
  try {
    model = await loadModel(bytes, { name, runtime, maxMemory: FUZZ_MAX_MEMORY });
  } catch (e) {
    if (!documented(e, name)) return { failure: `load threw ${describe(e)}` };
    if (converted && (e as EwmError).status !== ERR_NO_MEMORY) return { failure: `the converter wrote an .ewm the runtime refuses: ${describe(e)}` };
    return 'refused';
  }
  try {
    const inputs = model.inputs.map((t) => new ({ int8: Int8Array, uint8: Uint8Array, int16: Int16Array, int32: Int32Array, float32: Float32Array })[t.dtype](t.bytes / DTYPE_SIZES[t.dtype]));
    const outputs = model.run(...inputs);
    for (const [k, t] of model.outputs.entries()) {
      if (outputs[k]!.byteLength !== t.bytes) return { failure: `output ${k} has ${outputs[k]!.byteLength} bytes, declared ${t.bytes}` };
    }
    return 'loaded';
  } catch (e) {
    // A model that passed validation must run: any error here, documented or not, is a gap.
    return { failure: `run threw ${describe(e)}` };
  }
}

function describe(e: unknown): string {
  return e instanceof Error ? `${e.constructor.name}: ${e.message.split('\n')[0]}` : String(e);
}

/** Runs one case against the given runtime build and returns its outcome. */
export async function runCase(seeds: ReturnType<typeof seedFiles>, kind: FuzzKind, seed: number, runtime: WebAssembly.Module): Promise<Outcome> {
  const { name, bytes } = fuzzCase(seeds, kind, seed);
  if (kind === 'ewm') return loadAndRun(bytes, name, runtime, false);
  let ewm: Uint8Array;
  try {
    ewm = convertTflite(bytes, name).bytes;
  } catch (e) {
    return documented(e, name) ? 'refused' : { failure: `convert threw ${describe(e)}` };
  }
  // What the converter accepts, the runtime must load and run (or refuse for the memory cap).
  return loadAndRun(ewm, name, runtime, true);
}

/** The compiled runtime of a build, for runCase. */
export function runtimeModule(build: Build): Promise<WebAssembly.Module> {
  return loadRuntimeModule(undefined, build);
}
