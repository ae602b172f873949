// Post-training quantization: a float graph (a float or hybrid .tflite, read by models/tflite/) and
// calibration samples in, the int8 graph TensorFlow Lite's full-integer converter would make out,
// in its scheme (models/quantize/scheme.ts):
//   - calibration runs the float reference executor (models/float/) over the samples and records
//     each activation's range: min/max, or a percentile of each tail (a 2,048-bin histogram over
//     the min/max range, a second pass), which clips rare outliers;
//   - conv, depthwise and fully connected weights become per-channel int8 (axis 0, 3 and 0), their
//     biases int32; other float constants per-tensor int8 from their own range;
//   - activations become int8 from their ranges, except where TFLite fixes the parameters: softmax
//     and logistic outputs (1/256, -128), tanh (1/128, 0), and ops that only move values (pooling,
//     reshapes, padding), whose output keeps its input's parameters, as the int8 kernels require;
//   - a float activation that already carries int8 parameters (a QDQ ONNX model's) keeps them;
//   - concatenation inputs quantized otherwise than its output are rescaled by a QUANTIZE op;
//   - the graph keeps float32 inputs and outputs, as TFLite's converter does by default: a
//     QUANTIZE op after each input, a DEQUANTIZE op before each output.
// Fused activations stay fused: calibration sees each op's output after them.

import { ConvertError, type Graph, type Op, type Quantization, type Tensor } from '../graph.js';
import { runFloat } from '../float/executor.js';
import { constantValues } from '../float/constants.js';
import { activationQuant, quantizeBias, quantizePerChannel } from './scheme.js';
import { f32, roundHalfAway } from '../quantize-multiplier.js';

export type RangeMethod = 'minmax' | 'percentile';

export interface CalibrationOptions {
  method?: RangeMethod; // default 'minmax'
  percentile?: number; // for 'percentile': the share of values kept inside each tail's cut, default 99.99
  /** Called after each sample of each pass, e.g. for a progress bar. */
  progress?: (done: number, total: number) => void;
}

export type Ranges = Map<number, [number, number]>;

// Ops whose int8 kernels move values without rescaling: the output takes the input's parameters.
const SAME_QUANT = new Set(['AVERAGE_POOL_2D', 'MAX_POOL_2D', 'RESHAPE', 'SQUEEZE', 'EXPAND_DIMS', 'PAD', 'PADV2']);
const FIXED_QUANT: Record<string, { scale: number; zeroPoint: number }> = {
  SOFTMAX: { scale: f32(1 / 256), zeroPoint: -128 },
  LOGISTIC: { scale: f32(1 / 256), zeroPoint: -128 },
  TANH: { scale: f32(1 / 128), zeroPoint: 0 },
};
// Weighted ops: the weights' quantized axis.
const WEIGHT_AXIS: Record<string, number> = { CONV_2D: 0, DEPTHWISE_CONV_2D: 3, FULLY_CONNECTED: 0 };
const HISTOGRAM_BINS = 2048;

/** The [min, max] of every activation (graph inputs and op outputs) over the samples. */
export function calibrate(graph: Graph, samples: Float32Array[][], options: CalibrationOptions = {}): Ranges {
  if (samples.length === 0) throw new ConvertError('calibration needs at least one sample');
  const method = options.method ?? 'minmax';
  const passes = method === 'percentile' ? 2 : 1;
  const total = samples.length * passes;
  const ranges: Ranges = new Map();
  samples.forEach((inputs, i) => {
    runFloat(graph, inputs, (t, values) => {
      const r = ranges.get(t) ?? [Infinity, -Infinity];
      for (const v of values) { if (v < r[0]) r[0] = v; if (v > r[1]) r[1] = v; }
      ranges.set(t, r);
    });
    options.progress?.(i + 1, total);
  });
  if (method === 'minmax') return ranges;
  const p = options.percentile ?? 99.99;
  if (!(p > 50 && p <= 100)) throw new ConvertError(`percentile ${p} is not in (50, 100]`);
  const histograms = new Map<number, Float64Array>();
  samples.forEach((inputs, i) => {
    runFloat(graph, inputs, (t, values) => {
      const [lo, hi] = ranges.get(t)!;
      const h = histograms.get(t) ?? new Float64Array(HISTOGRAM_BINS);
      const width = (hi - lo) / HISTOGRAM_BINS || 1;
      for (const v of values) h[Math.min(HISTOGRAM_BINS - 1, Math.floor((v - lo) / width))]! += 1;
      histograms.set(t, h);
    });
    options.progress?.(samples.length + i + 1, total);
  });
  const clipped: Ranges = new Map();
  for (const [t, [lo, hi]] of ranges) {
    const h = histograms.get(t)!;
    const count = h.reduce((a, b) => a + b, 0);
    const cut = (count * (100 - p)) / 100;
    const width = (hi - lo) / HISTOGRAM_BINS;
    let below = 0, first = 0;
    while (first < HISTOGRAM_BINS - 1 && below + h[first]! <= cut) below += h[first++]!;
    let above = 0, last = HISTOGRAM_BINS - 1;
    while (last > first && above + h[last]! <= cut) above += h[last--]!;
    clipped.set(t, [lo + first * width, lo + (last + 1) * width]);
  }
  return clipped;
}

const perTensor = (q: { scale: number; zeroPoint: number }): Quantization => ({ scale: [q.scale], zeroPoint: [q.zeroPoint], axis: 0 });

/**
 * The int8 graph of `graph` with activations quantized from `ranges` (calibrate's), or from the
 * parameters a float activation already carries (a QDQ model's).
 */
export function quantizeGraph(graph: Graph, ranges: Ranges): Graph {
  const tensors: Tensor[] = graph.tensors.map((t) => ({ ...t }));
  const done = new Set<number>();
  const quantOf = (t: number) => tensors[t]!.quant!;
  const activation = (t: number, q: { scale: number; zeroPoint: number }) => {
    if (done.has(t)) return;
    tensors[t] = { ...tensors[t]!, dtype: 'int8', quant: perTensor(q) };
    done.add(t);
  };
  const fromRange = (t: number, op?: Op) => {
    if (done.has(t)) return;
    const preset = graph.tensors[t]!.quant; // a QDQ model's own parameters (models/onnx/import.ts)
    if (preset) return activation(t, { scale: preset.scale[0]!, zeroPoint: preset.zeroPoint[0]! });
    const r = ranges.get(t);
    if (!r) throw new ConvertError(`${op ? `op ${op.index} (${op.type}): ` : ''}no calibration range for tensor '${graph.tensors[t]!.name}'`);
    activation(t, activationQuant(r[0], r[1]));
  };
  for (const t of graph.inputs) fromRange(t);
  for (const op of graph.ops) {
    for (const t of op.inputs) {
      if (t < 0 || !graph.tensors[t]!.data || graph.tensors[t]!.dtype !== 'float32') continue;
      if (!done.has(t) && WEIGHT_AXIS[op.type] === undefined) { quantizeConstant(tensors, t); done.add(t); }
    }
    const axis = WEIGHT_AXIS[op.type];
    if (axis !== undefined) quantizeWeights(graph, tensors, op, axis, quantOf(op.inputs[0]!).scale[0]!, done);
    const y = op.outputs[0]!;
    if (SAME_QUANT.has(op.type)) {
      const q = quantOf(op.inputs[0]!);
      activation(y, { scale: q.scale[0]!, zeroPoint: q.zeroPoint[0]! });
    } else if (FIXED_QUANT[op.type]) activation(y, FIXED_QUANT[op.type]!);
    for (const t of op.outputs) fromRange(t, op);
  }
  return withFloatIo({ ...graph, tensors, ops: shareConcatQuant(tensors, graph.ops.map((op) => ({ ...op }))) });
}

// CONCATENATION's int8 kernel copies bytes, so an input quantized otherwise than the output goes
// through a QUANTIZE (int8 → int8 rescale) first, as TFLite's converter arranges it.
function shareConcatQuant(tensors: Tensor[], ops: Op[]): Op[] {
  const out: Op[] = [];
  for (const op of ops) {
    if (op.type === 'CONCATENATION') {
      const q = tensors[op.outputs[0]!]!.quant!;
      op.inputs = op.inputs.map((t) => {
        const tq = tensors[t]!.quant!;
        if (tq.scale[0] === q.scale[0] && tq.zeroPoint[0] === q.zeroPoint[0]) return t;
        tensors.push({ ...tensors[t]!, name: `${tensors[t]!.name}/rescaled`, quant: { ...q }, data: undefined });
        out.push({ type: 'QUANTIZE', index: op.index, inputs: [t], outputs: [tensors.length - 1], options: {} });
        return tensors.length - 1;
      });
    }
    out.push(op);
  }
  return out;
}

// A float constant operand (of ADD, MUL, ...): per-tensor int8 from its own range.
function quantizeConstant(tensors: Tensor[], t: number): void {
  const v = constantValues(tensors[t]!);
  let lo = 0, hi = 0;
  for (const x of v) { if (x < lo) lo = x; if (x > hi) hi = x; }
  const q = activationQuant(lo, hi);
  const data = Int8Array.from(v, (x) => Math.max(-128, Math.min(127, roundHalfAway(x / q.scale) + q.zeroPoint)));
  tensors[t] = { ...tensors[t]!, dtype: 'int8', data: new Uint8Array(data.buffer), quant: perTensor(q) };
}

// Weights (input 1) per channel along `axis`, the bias (input 2) in int32 at input scale x weight scale.
function quantizeWeights(graph: Graph, tensors: Tensor[], op: Op, axis: number, inScale: number, done: Set<number>): void {
  const [wi, bi] = [op.inputs[1]!, op.inputs[2] ?? -1];
  const w = graph.tensors[wi]!;
  if (!w.data) throw new ConvertError(`op ${op.index} (${op.type}): weights '${w.name}' are not constant`);
  if (done.has(wi)) throw new ConvertError(`op ${op.index} (${op.type}): weights '${w.name}' are shared with another op`);
  const { q, scales } = quantizePerChannel(constantValues(w), w.shape, axis);
  tensors[wi] = { ...w, dtype: 'int8', data: new Uint8Array(q.buffer), quant: { scale: scales, zeroPoint: scales.map(() => 0), axis } };
  done.add(wi);
  if (bi < 0) return;
  const b = graph.tensors[bi]!;
  if (!b.data) throw new ConvertError(`op ${op.index} (${op.type}): bias '${b.name}' is not constant`);
  const biasScales = scales.map((s) => f32(inScale * s));
  const values = quantizeBias(constantValues(b), biasScales);
  tensors[bi] = { ...b, dtype: 'int32', data: new Uint8Array(values.buffer), quant: { scale: biasScales, zeroPoint: biasScales.map(() => 0), axis: 0 } };
  done.add(bi);
}

// Float32 graph inputs and outputs around the int8 graph: QUANTIZE after each input, DEQUANTIZE
// before each output; the float tensors keep the original names.
function withFloatIo(g: Graph): Graph {
  const tensors = g.tensors;
  const ops: Op[] = [];
  const floatTwin = (t: number) => {
    const q = tensors[t]!;
    tensors.push({ name: q.name, dtype: 'float32', shape: q.shape });
    tensors[t] = { ...q, name: `${q.name}/int8` };
    return tensors.length - 1;
  };
  const inputs = g.inputs.map((t) => {
    const x = floatTwin(t);
    ops.push({ type: 'QUANTIZE', index: -1, inputs: [x], outputs: [t], options: {} });
    return x;
  });
  ops.push(...g.ops);
  const outputs = g.outputs.map((t) => {
    const y = floatTwin(t);
    ops.push({ type: 'DEQUANTIZE', index: -1, inputs: [t], outputs: [y], options: {} });
    return y;
  });
  return { ...g, tensors, ops: ops.map((op, index) => ({ ...op, index: op.index < 0 ? index : op.index })), inputs, outputs };
}
