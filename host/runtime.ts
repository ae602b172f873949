// The loader: instantiate the edgewasm runtime, place a model's bytes in its memory, let the
// executor validate them, and run. Works in Node and in browsers: the only platform-specific step,
// finding the runtime .wasm, is in wasm-source.ts, and callers may pass their own module.

import { EwmError, statusMessage } from './errors.js';
import { ERR_NO_MEMORY } from '../assembly/status.js';
import { readEwm, DTYPE_SIZES, type DTypeName, type EwmInfo, type TensorInfo } from './ewm.js';
import { loadRuntimeModule, bestBuild, type Build } from './wasm-source.js';

export interface RuntimeExports {
  memory: WebAssembly.Memory;
  ew_alloc(n: number): number;
  ew_heap_top(): number;
  ew_load(ptr: number, size: number): number;
  ew_run(): number;
  ew_run_op(i: number): number;
  ew_input(k: number): number;
  ew_output(k: number): number;
  ew_tensor_data(t: number): number;
  ew_error_index(): number;
  ew_error_value(): number;
}

export type TypedArray = Int8Array | Uint8Array | Int16Array | Int32Array | Float32Array;
const ARRAY_TYPES = { int8: Int8Array, uint8: Uint8Array, int16: Int16Array, int32: Int32Array, float32: Float32Array };

export interface LoadOptions {
  /** A compiled runtime module (or its bytes); by default the one shipped in build/. */
  runtime?: WebAssembly.Module | BufferSource;
  /** Which shipped build to run: 'simd' or 'mvp'; by default the best the engine supports. */
  build?: Build;
  /** Name used in error messages, usually the file name. */
  name?: string;
  /**
   * The most wasm memory the model may take (its bytes plus its activation arena), in bytes;
   * a model needing more is refused before any memory grows. Default DEFAULT_MAX_MEMORY.
   */
  maxMemory?: number;
}

/** 256 MiB: some thousand times what the MLPerf Tiny models need, far below what breaks a browser tab. */
export const DEFAULT_MAX_MEMORY = 256 * 1024 * 1024;

export interface Model {
  readonly inputs: TensorInfo[];
  readonly outputs: TensorInfo[];
  readonly info: EwmInfo;
  readonly labels?: string[];
  /** The runtime build in use ('custom' when the caller passed its own module). */
  readonly build: Build | 'custom';
  /** Run one sample: one typed array per input, in the input's dtype; returns copies of the outputs. */
  run(...inputs: TypedArray[]): TypedArray[];
  /** Run with float inputs and outputs, quantizing and dequantizing int8 I/O as the model declares. */
  runFloat(...inputs: Float32Array[]): Float32Array[];
  /** Runs the model op by op, handing each op's outputs (copies) to onOp; returns the model outputs. */
  trace(inputs: TypedArray[], onOp: (op: number, outputs: { tensor: TensorInfo; values: TypedArray }[]) => void): TypedArray[];
  /** Median milliseconds each op takes over `rounds` runs of the model on these inputs. */
  profile(inputs: TypedArray[], rounds: number): number[];
}

/** TFLite's AffineQuantize: round(x / scale) + zero point, clamped to int8. */
export function quantize(x: Float32Array, scale: number, zeroPoint: number): Int8Array {
  const out = new Int8Array(x.length);
  const s = Math.fround(scale);
  for (let i = 0; i < x.length; i++) {
    const r = Math.fround(x[i]! / s);
    const q = (r < 0 ? -Math.round(-r) : Math.round(r)) + zeroPoint;
    out[i] = Math.min(127, Math.max(-128, q));
  }
  return out;
}

export function dequantize(q: Int8Array, scale: number, zeroPoint: number): Float32Array {
  return Float32Array.from(q, (v) => Math.fround((v - zeroPoint) * scale));
}

export async function loadModel(bytes: Uint8Array, options: LoadOptions = {}): Promise<Model> {
  const name = options.name ?? 'model';
  const info = readEwm(bytes, name);
  const cap = options.maxMemory ?? DEFAULT_MAX_MEMORY;
  const need = bytes.length + info.arenaSize;
  if (need > cap) {
    throw new EwmError(`${name}: needs ${need} bytes of memory (model ${bytes.length} + arena ${info.arenaSize}), over the cap of ${cap} bytes (maxMemory, --max-memory)`, ERR_NO_MEMORY);
  }
  const build = options.runtime ? 'custom' : (options.build ?? bestBuild());
  const module = await loadRuntimeModule(options.runtime, build === 'custom' ? undefined : build);
  const instance = await WebAssembly.instantiate(module, {});
  const wasm = instance.exports as unknown as RuntimeExports;
  // AssemblyScript's exported start: initializes globals such as the allocator's heap top.
  (instance.exports._initialize as (() => void) | undefined)?.();
  const ptr = wasm.ew_alloc(bytes.length);
  if (ptr === 0) throw new EwmError(`${name}: cannot allocate ${bytes.length} bytes of wasm memory for the model`);
  new Uint8Array(wasm.memory.buffer, ptr, bytes.length).set(bytes);
  const status = wasm.ew_load(ptr, bytes.length);
  if (status !== 0) {
    throw new EwmError(`${name}: ${statusMessage(status, wasm.ew_error_index(), wasm.ew_error_value())}`, status);
  }
  const tensorAt = (t: number) => info.tensors[t]!;
  const inputs = info.inputs.map(tensorAt);
  const outputs = info.outputs.map(tensorAt);
  const view = (t: TensorInfo) => new Uint8Array(wasm.memory.buffer, wasm.ew_tensor_data(t.index), t.bytes);

  const setInputs = (xs: TypedArray[]) => {
    if (xs.length !== inputs.length) throw new EwmError(`${name}: ${xs.length} inputs given, the model takes ${inputs.length}`);
    xs.forEach((x, k) => {
      const t = inputs[k]!;
      if (!(x instanceof ARRAY_TYPES[t.dtype])) throw new EwmError(`${name}: input ${k} ('${t.name}') must be a ${ARRAY_TYPES[t.dtype].name} (${t.dtype})`);
      if (x.byteLength !== t.bytes) throw new EwmError(`${name}: input ${k} ('${t.name}') has ${x.length} elements, expected ${t.bytes / DTYPE_SIZES[t.dtype]} (shape [${t.shape}])`);
      view(t).set(new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
    });
  };
  const check = (status: number) => {
    if (status !== 0) throw new EwmError(`${name}: run failed: ${statusMessage(status, wasm.ew_error_index(), wasm.ew_error_value())}`, status);
  };

  const run = (...xs: TypedArray[]): TypedArray[] => {
    setInputs(xs);
    check(wasm.ew_run());
    return outputs.map(read);
  };

  const runFloat = (...xs: Float32Array[]): Float32Array[] => {
    const cast = xs.map((x, k) => {
      const t = inputs[k];
      return t && t.dtype === 'int8' && x instanceof Float32Array ? quantize(x, t.scale, t.zeroPoint) : x;
    });
    return run(...cast).map((y, k) => {
      const t = outputs[k]!;
      if (y instanceof Float32Array) return y;
      if (y instanceof Int8Array) return dequantize(y, t.scale, t.zeroPoint);
      return Float32Array.from(y as ArrayLike<number>);
    });
  };

  const read = (t: TensorInfo) => new ARRAY_TYPES[t.dtype](view(t).slice().buffer);
  const trace = (xs: TypedArray[], onOp: (op: number, outs: { tensor: TensorInfo; values: TypedArray }[]) => void): TypedArray[] => {
    setInputs(xs);
    info.ops.forEach((op, i) => {
      check(wasm.ew_run_op(i));
      onOp(i, op.outputs.map((t) => ({ tensor: tensorAt(t), values: read(tensorAt(t)) })));
    });
    return outputs.map(read);
  };

  const profile = (xs: TypedArray[], rounds: number): number[] => {
    setInputs(xs);
    const times = info.ops.map(() => new Float64Array(rounds));
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < info.ops.length; i++) {
        const t0 = performance.now();
        check(wasm.ew_run_op(i));
        times[i]![r] = performance.now() - t0;
      }
    }
    return times.map((t) => t.sort()[rounds >> 1]!);
  };

  return { inputs, outputs, info, labels: info.meta.outputs?.[0]?.labels, build, run, runFloat, trace, profile };
}

export type { DTypeName, TensorInfo, EwmInfo, Build };
