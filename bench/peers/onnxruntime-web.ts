// Peer runtime: ONNX Runtime's WebAssembly build (onnxruntime-web, wasm execution provider, SIMD),
// on one thread, running the QDQ model that ./onnx-export.ts writes from the same .tflite.
// Its session.run is asynchronous; the benchmark awaits it, as a user of the package would.

import { readTflite } from '../../models/tflite/import.js';

type Ort = typeof import('onnxruntime-web');

export interface AsyncPeerModel {
  run(x: Int8Array): Promise<Int8Array>;
}

let ort: Promise<Ort> | undefined;

function onnxruntime(): Promise<Ort> {
  ort ??= import('onnxruntime-web').then((m) => {
    m.env.wasm.numThreads = 1;
    m.env.logLevel = 'error';
    return m;
  });
  return ort;
}

/** Exports the .tflite bytes to ONNX and opens an ORT-web session on them. */
export async function loadOrtModel(tflite: Uint8Array, name: string): Promise<AsyncPeerModel> {
  const graph = readTflite(tflite, name);
  const { exportOnnx } = await import('./onnx-export.js'); // needs onnx-proto: a missing package is a load failure
  const onnxBytes = exportOnnx(graph);
  const m = await onnxruntime();
  const session = await m.InferenceSession.create(onnxBytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  const dims = graph.tensors[graph.inputs[0]!]!.shape;
  return {
    async run(x: Int8Array): Promise<Int8Array> {
      const result = await session.run({ input: new m.Tensor('int8', x, dims) });
      return result.output!.data as Int8Array;
    },
  };
}
