// The converter's pipeline: graph → lower each op to .ewm ops (precomputing everything a kernel
// needs) → keep only the tensors the ops use → plan the arena → write .ewm.

import { ConvertError, tensorBytes, type DType, type Graph, type Tensor } from './graph.js';
import { LOWERINGS } from './lower/index.js';
import { refuse, type LoweredOp, type LowerContext } from './lower/common.js';
import { lifetimes, planArena, type Plan } from './planner.js';
import { writeEwm } from './ewm-writer.js';
import { sparsify } from './compress/sparse.js';
import { readTflite } from './tflite/import.js';
import { readOnnx } from './onnx/import.js';
import { calibrate, quantizeGraph, type CalibrationOptions } from './quantize/ptq.js';

export interface Conversion {
  bytes: Uint8Array;
  plan: Plan;
  opCount: number;
}

const IO_DTYPES: DType[] = ['int8', 'float32'];

export function lowerGraph(graph: Graph): LoweredOp[] {
  const ctx: LowerContext = {
    graph,
    addConstant(name: string, dtype: DType, shape: number[], data: Uint8Array): number {
      graph.tensors.push({ name, dtype, shape, data });
      return graph.tensors.length - 1;
    },
  };
  return graph.ops.map((op) => {
    const lower = LOWERINGS[op.type];
    if (!lower) refuse(op, 'operator not supported by edgewasm');
    return lower(op, ctx);
  });
}

export interface ConvertOptions {
  sparse?: boolean; // encode pruned weights sparse where it pays (default true)
}

export function convertGraph(source: Graph, options: ConvertOptions = {}): Conversion {
  const graph: Graph = { ...source, tensors: [...source.tensors] }; // lowering appends constants
  if (graph.inputs.length === 0 || graph.outputs.length === 0) {
    throw new ConvertError(`the model has ${graph.inputs.length} inputs and ${graph.outputs.length} outputs; it needs at least one of each`);
  }
  for (const t of [...graph.inputs, ...graph.outputs]) {
    const tensor = graph.tensors[t]!;
    if (!IO_DTYPES.includes(tensor.dtype)) {
      throw new ConvertError(`model input/output '${tensor.name}' is ${tensor.dtype}; edgewasm runs int8 and float32 I/O`);
    }
    if (tensor.data) throw new ConvertError(`model input/output '${tensor.name}' is a constant; inputs and outputs must be activations`);
  }
  return writeLowered(graph, lowerGraph(graph), options);
}

/**
 * The .ewm of a lowered model (`graph` holds its tensors, source and labels): pruned weights encoded
 * sparse where that pays (unless options.sparse is false), tensors renumbered, the arena planned.
 * The ops are rewritten in place.
 */
export function writeLowered(graph: Graph, lowered: LoweredOp[], options: ConvertOptions = {}): Conversion {
  if (options.sparse ?? true) sparsify(lowered, graph);

  // Renumber: only tensors the lowered ops or the graph I/O refer to go into the file.
  const used = new Map<number, number>();
  const keep = (t: number) => {
    if (t < 0) return t;
    if (!used.has(t)) used.set(t, used.size);
    return used.get(t)!;
  };
  const inputs = graph.inputs.map(keep);
  const outputs = graph.outputs.map(keep);
  const ops = lowered.map((op) => ({ ...op, inputs: op.inputs.map(keep), outputs: op.outputs.map(keep) }));
  const tensors: Tensor[] = [...used.keys()].map((t) => graph.tensors[t]!);

  const spans = lifetimes(ops, inputs, outputs, (t) => !tensors[t]!.data, (t) => tensorBytes(tensors[t]!));
  const plan = planArena(spans);
  const metadata = {
    source: graph.source,
    inputs: inputs.map((t) => ({ name: tensors[t]!.name })),
    outputs: outputs.map((t, k) => ({ name: tensors[t]!.name, ...(k === 0 && graph.labels ? { labels: graph.labels } : {}) })),
    tensors: tensors.map((t) => t.name),
  };
  const bytes = writeEwm({ tensors, ops, inputs, outputs, arenaOffsets: plan.offsets, arenaSize: plan.arenaSize, metadata });
  return { bytes, plan, opCount: ops.length };
}

/** Calibration for a float model: samples (each a list of input arrays) and how ranges are taken. */
export interface Calibration {
  samples: Float32Array[][] | ((graph: Graph) => Float32Array[][]);
  options?: CalibrationOptions;
}

/** Whether an op computes in float (not only QUANTIZE / DEQUANTIZE at an int8 model's edges). */
export function isFloatGraph(graph: Graph): boolean {
  return graph.ops.some((op) => op.type !== 'QUANTIZE' && op.type !== 'DEQUANTIZE'
    && op.outputs.some((t) => graph.tensors[t]?.dtype === 'float32'));
}

/**
 * Converts a .tflite file: an int8 model as it is, a float (or hybrid) model quantized to int8 with
 * the calibration samples (models/quantize/ptq.ts). Every refusal is a ConvertError whose message
 * starts with `source`.
 */
export function convertTflite(bytes: Uint8Array, source: string, calibration?: Calibration): Conversion {
  return convertImported(readTflite(bytes, source), source, calibration);
}

/** Converts a float .onnx file (models/onnx/import.ts) as convertTflite does a float .tflite. */
export function convertOnnx(bytes: Uint8Array, source: string, calibration?: Calibration): Conversion {
  return convertImported(readOnnx(bytes, source), source, calibration);
}

/** The graph of an .onnx file (by its name) or else a .tflite file. */
export function readModelFile(bytes: Uint8Array, source: string): Graph {
  return source.toLowerCase().endsWith('.onnx') ? readOnnx(bytes, source) : readTflite(bytes, source);
}

/** Converts an .onnx file (by its name) or else a .tflite file. */
export function convertModelFile(bytes: Uint8Array, source: string, calibration?: Calibration): Conversion {
  return convertImported(readModelFile(bytes, source), source, calibration);
}

/** Converts an imported graph as convertTflite does (float graphs quantized with the calibration). */
export function convertImported(graph: Graph, source: string, calibration?: Calibration): Conversion {
  try {
    if (isFloatGraph(graph)) {
      if (calibration) {
        const samples = typeof calibration.samples === 'function' ? calibration.samples(graph) : calibration.samples;
        return convertGraph(quantizeGraph(graph, calibrate(graph, samples, calibration.options)));
      }
      // Without samples only a model whose activations carry their own parameters (QDQ) converts.
      try {
        return convertGraph(quantizeGraph(graph, new Map()));
      } catch (e) {
        if (e instanceof ConvertError && e.message.includes('no calibration range')) {
          throw new ConvertError('a float model: quantizing it to int8 needs calibration samples (edgewasm convert --calibrate FILE|DIR)');
        }
        throw e;
      }
    }
    return convertGraph(graph);
  } catch (e) {
    if (e instanceof ConvertError && !e.message.startsWith(`${source}: `)) throw new ConvertError(`${source}: ${e.message}`);
    throw e;
  }
}
