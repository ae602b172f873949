// Peer runtime: TensorFlow Lite in WebAssembly (@tensorflow/tfjs-tflite, TFLite + XNNPACK), its SIMD
// and its scalar build, driven from plain Node 20 on one thread.
// The package is written for browsers. In Node it runs (see ../shared/PEERS.md) when it believes it
// is in a web worker: `self`, `location` and `importScripts` exist, and importScripts evaluates the
// Emscripten loader script it asks for. We hand it the single-threaded loader of the build we want
// (its feature probe finds threads in Node and would ask for `*_threaded.js`) and give the module
// factory the .wasm bytes from node_modules, so nothing is fetched.
// The package keeps one loaded module per wasm path, so the two builds live under two made-up
// relative paths ('simd/', 'scalar/') that the importScripts shim maps back to the package's files.
// Timed call: the raw runner (copy the int8 input in, infer(), read the output view), not
// model.predict(), which adds tfjs tensor overhead and wants int32 tensors for int8.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';

export type TfliteBuild = 'simd' | 'scalar';

export interface PeerModel {
  /** Runs one inference on `x` and returns the output bytes (a view, valid until the next run). */
  run(x: Int8Array): Int8Array;
}

interface TensorInfo { data(): ArrayBufferView }
interface Runner { getInputs(): TensorInfo[]; getOutputs(): TensorInfo[]; infer(): boolean }
interface TfliteModule {
  setWasmPath(path: string): void;
  loadTFLiteModel(model: ArrayBuffer, options?: { numThreads?: number }): Promise<{ modelRunner: Runner }>;
}

const require = createRequire(import.meta.url);
let loaded: Promise<TfliteModule> | undefined;

/** Installs the web-worker shims once and imports the package; rejects with the reason it cannot load. */
function tflite(): Promise<TfliteModule> {
  loaded ??= (async () => {
    const wasmDir = join(dirname(require.resolve('@tensorflow/tfjs-tflite/package.json')), 'wasm');
    const g = globalThis as Record<string, unknown>;
    g.self ??= globalThis;
    g.location ??= { href: pathToFileURL(join(wasmDir, 'x')).href, origin: 'file://' };
    g.importScripts = (url: string) => {
      const build: TfliteBuild = url.includes('/scalar/') ? 'scalar' : 'simd';
      const stem = join(wasmDir, build === 'simd' ? 'tflite_web_api_cc_simd' : 'tflite_web_api_cc');
      if (!basename(url).startsWith('tflite_web_api_cc')) throw new Error(`tfjs-tflite asked for an unknown script ${url}`);
      vm.runInThisContext(readFileSync(`${stem}.js`, 'utf8'), { filename: `${stem}.js` });
      const factory = g.tflite_web_api_ModuleFactory as (opts: Record<string, unknown>) => Promise<unknown>;
      const wasmBinary = readFileSync(`${stem}.wasm`);
      // Its one-line INFO notice (XNNPACK delegate created) would interleave with the tables.
      const quiet = (text: string) => { if (!text.startsWith('INFO:')) console.error(text); };
      g.tflite_web_api_ModuleFactory = (opts: Record<string, unknown>) => factory({ ...opts, wasmBinary, print: quiet, printErr: quiet });
    };
    await import('@tensorflow/tfjs-backend-cpu');
    return (await import('@tensorflow/tfjs-tflite')) as unknown as TfliteModule;
  })();
  return loaded;
}

/** Loads a .tflite model into the chosen build; the input and output must be int8. */
export async function loadTfliteModel(bytes: Uint8Array, build: TfliteBuild): Promise<PeerModel> {
  const tf = await tflite();
  tf.setWasmPath(`${build}/`);
  const buffer = bytes.slice().buffer;
  const { modelRunner } = await tf.loadTFLiteModel(buffer, { numThreads: 1 });
  const probe = modelRunner.getInputs()[0]!.data();
  if (!(probe instanceof Int8Array)) throw new Error(`tfjs-tflite: input is ${probe.constructor.name}, expected Int8Array`);
  return {
    // The views are taken afresh each run: a growing wasm memory would detach old ones.
    run(x: Int8Array): Int8Array {
      (modelRunner.getInputs()[0]!.data() as Int8Array).set(x);
      if (!modelRunner.infer()) throw new Error('tfjs-tflite: infer() failed');
      const out = modelRunner.getOutputs()[0]!.data();
      return new Int8Array(out.buffer, out.byteOffset, out.byteLength);
    },
  };
}
