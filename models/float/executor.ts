// The float32 reference executor over the converter's Graph: runs a float (or hybrid) TFLite graph
// as TensorFlow Lite Micro's reference float kernels do — each product and sum rounded to float32
// (Math.fround), bias added after the taps, then the fused activation — so post-training
// quantization can calibrate on it and measure what quantization costs. Layouts as the importer
// gives them: NHWC activations, OHWI conv weights, 1HWO depthwise weights, (O, I) fully connected
// weights. Hybrid models' int8 weights are dequantized once (scale * (q - zero point)).
// Every refusal is a ConvertError naming the op.

import { ConvertError, elementCount, type Graph, type Op, type Tensor } from '../graph.js';
import { windowAxis, intOption } from '../lower/conv.js';
import { refuse } from '../lower/common.js';
import { constantValues } from './constants.js';

/** Called with every graph input and every op output (after its fused activation), in execution order. */
export type Observer = (tensor: number, values: Float32Array) => void;

const fr = Math.fround;

// The clamp of a fused activation.
function activation(op: Op): [number, number] {
  switch (op.options.fusedActivationFunction ?? 'NONE') {
    case 'NONE': return [-Infinity, Infinity];
    case 'RELU': return [0, Infinity];
    case 'RELU6': return [0, 6];
    case 'RELU_N1_TO_1': return [-1, 1];
    default: return refuse(op, `fused activation ${String(op.options.fusedActivationFunction)} is not supported by the float executor`);
  }
}

interface Ctx { graph: Graph; values: (Float32Array | undefined)[] }

function input(ctx: Ctx, op: Op, k: number): Float32Array {
  const t = op.inputs[k] ?? -1;
  if (t < 0) refuse(op, `input ${k} is missing`);
  const v = ctx.values[t];
  if (!v) refuse(op, `input ${k} ('${ctx.graph.tensors[t]!.name}') has no value: not a constant, a graph input or an earlier op's output`);
  return v;
}

function shapeOf(ctx: Ctx, op: Op, t: number, rank: number): number[] {
  const s = ctx.graph.tensors[t]!.shape;
  if (s.length !== rank) refuse(op, `tensor '${ctx.graph.tensors[t]!.name}' has shape [${s}], expected rank ${rank}`);
  return s;
}

function optionalBias(ctx: Ctx, op: Op, channels: number): Float32Array | undefined {
  if ((op.inputs[2] ?? -1) < 0) return undefined;
  const b = input(ctx, op, 2);
  if (b.length !== channels) refuse(op, `bias has ${b.length} values, expected ${channels}`);
  return b;
}

// CONV_2D (depthwise = false) and DEPTHWISE_CONV_2D: taps in the padding are skipped.
function conv(ctx: Ctx, op: Op, depthwise: boolean): Float32Array {
  const x = input(ctx, op, 0), w = input(ctx, op, 1);
  const [n, inH, inW, inC] = shapeOf(ctx, op, op.inputs[0]!, 4) as [number, number, number, number];
  const ws = shapeOf(ctx, op, op.inputs[1]!, 4);
  const [outN, outH, outW, outC] = shapeOf(ctx, op, op.outputs[0]!, 4) as [number, number, number, number];
  const [fH, fW] = [ws[1]!, ws[2]!];
  const fC = depthwise ? 1 : ws[3]!;
  const sH = intOption(op, 'strideH', 1, 1), sW = intOption(op, 'strideW', 1, 1);
  const dH = intOption(op, 'dilationHFactor', 1, 1), dW = intOption(op, 'dilationWFactor', 1, 1);
  const rows = windowAxis(op, op.options.padding, inH, fH, sH, dH);
  const cols = windowAxis(op, op.options.padding, inW, fW, sW, dW);
  const groups = depthwise ? 1 : inC / fC;
  const mult = depthwise ? intOption(op, 'depthMultiplier', 1, 1) : 1;
  if (outN !== n || outH !== rows.out || outW !== cols.out || (depthwise ? ws[3] !== outC || inC * mult !== outC
    : ws[0] !== outC || !Number.isInteger(groups) || outC % groups !== 0)) {
    refuse(op, `input [${n},${inH},${inW},${inC}], filter [${ws}] and output [${outN},${outH},${outW},${outC}] do not agree`);
  }
  const bias = optionalBias(ctx, op, outC);
  const [lo, hi] = activation(op);
  const y = new Float32Array(n * outH * outW * outC);
  const perGroup = outC / groups;
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        for (let oc = 0; oc < outC; oc++, o++) {
          let total = 0;
          for (let ky = 0; ky < fH; ky++) {
            const iy = oy * sH - rows.pad + ky * dH;
            if (iy < 0 || iy >= inH) continue;
            for (let kx = 0; kx < fW; kx++) {
              const ix = ox * sW - cols.pad + kx * dW;
              if (ix < 0 || ix >= inW) continue;
              const at = ((b * inH + iy) * inW + ix) * inC;
              if (depthwise) {
                total = fr(total + fr(x[at + Math.floor(oc / mult)]! * w[(ky * fW + kx) * outC + oc]!));
              } else {
                const c0 = Math.floor(oc / perGroup) * fC;
                const wAt = ((oc * fH + ky) * fW + kx) * fC;
                for (let c = 0; c < fC; c++) total = fr(total + fr(x[at + c0 + c]! * w[wAt + c]!));
              }
            }
          }
          if (bias) total = fr(total + bias[oc]!);
          y[o] = Math.min(hi, Math.max(lo, total));
        }
      }
    }
  }
  return y;
}

function fullyConnected(ctx: Ctx, op: Op): Float32Array {
  const x = input(ctx, op, 0), w = input(ctx, op, 1);
  const [units, depth] = shapeOf(ctx, op, op.inputs[1]!, 2) as [number, number];
  const batches = elementCount(ctx.graph.tensors[op.outputs[0]!]!.shape) / units;
  if (!Number.isInteger(batches) || x.length !== batches * depth) refuse(op, `input of ${x.length} values is not ${batches} rows of ${depth}`);
  const bias = optionalBias(ctx, op, units);
  const [lo, hi] = activation(op);
  const y = new Float32Array(batches * units);
  for (let b = 0; b < batches; b++) {
    for (let u = 0; u < units; u++) {
      let total = 0;
      for (let k = 0; k < depth; k++) total = fr(total + fr(x[b * depth + k]! * w[u * depth + k]!));
      if (bias) total = fr(total + bias[u]!);
      y[b * units + u] = Math.min(hi, Math.max(lo, total));
    }
  }
  return y;
}

// AVERAGE_POOL_2D divides by the taps inside the input, as TFLite does; MAX_POOL_2D takes their max.
function pool(ctx: Ctx, op: Op, average: boolean): Float32Array {
  const x = input(ctx, op, 0);
  const [n, inH, inW, c] = shapeOf(ctx, op, op.inputs[0]!, 4) as [number, number, number, number];
  const ys = shapeOf(ctx, op, op.outputs[0]!, 4);
  const sH = intOption(op, 'strideH', 1, 1), sW = intOption(op, 'strideW', 1, 1);
  const fH = intOption(op, 'filterHeight', 1, 1), fW = intOption(op, 'filterWidth', 1, 1);
  const rows = windowAxis(op, op.options.padding, inH, fH, sH, 1);
  const cols = windowAxis(op, op.options.padding, inW, fW, sW, 1);
  if (ys[0] !== n || ys[1] !== rows.out || ys[2] !== cols.out || ys[3] !== c) refuse(op, `output [${ys}] does not agree with input [${n},${inH},${inW},${c}]`);
  const [lo, hi] = activation(op);
  const y = new Float32Array(n * rows.out * cols.out * c);
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < rows.out; oy++) {
      for (let ox = 0; ox < cols.out; ox++) {
        for (let ch = 0; ch < c; ch++, o++) {
          let acc = average ? 0 : -Infinity;
          let count = 0;
          for (let iy = Math.max(0, oy * sH - rows.pad); iy < Math.min(inH, oy * sH - rows.pad + fH); iy++) {
            for (let ix = Math.max(0, ox * sW - cols.pad); ix < Math.min(inW, ox * sW - cols.pad + fW); ix++) {
              const v = x[((b * inH + iy) * inW + ix) * c + ch]!;
              acc = average ? fr(acc + v) : Math.max(acc, v);
              count++;
            }
          }
          y[o] = Math.min(hi, Math.max(lo, average ? fr(acc / count) : acc));
        }
      }
    }
  }
  return y;
}

// ADD and MUL with numpy broadcasting over shapes padded in front to 4 dimensions.
function binary(ctx: Ctx, op: Op, f: (a: number, b: number) => number): Float32Array {
  const a = input(ctx, op, 0), b = input(ctx, op, 1);
  const pad = (s: number[]) => [...Array(Math.max(0, 4 - s.length)).fill(1), ...s];
  const [sa, sb, sy] = [op.inputs[0]!, op.inputs[1]!, op.outputs[0]!].map((t) => pad(ctx.graph.tensors[t]!.shape));
  if (sy!.length > 4) refuse(op, `rank ${sy!.length} is over 4`);
  const strides = (s: number[]) => s.map((d, i) => (d === 1 ? 0 : s.slice(i + 1).reduce((p, q) => p * q, 1)));
  for (const s of [sa!, sb!]) if (s.some((d, i) => d !== 1 && d !== sy![i])) refuse(op, `shape [${s}] does not broadcast to [${sy}]`);
  const [ta, tb] = [strides(sa!), strides(sb!)];
  const [lo, hi] = activation(op);
  const y = new Float32Array(elementCount(sy!));
  let o = 0;
  for (let i = 0; i < sy![0]!; i++) for (let j = 0; j < sy![1]!; j++) for (let k = 0; k < sy![2]!; k++) for (let l = 0; l < sy![3]!; l++, o++) {
    const v = f(a[i * ta[0]! + j * ta[1]! + k * ta[2]! + l * ta[3]!]!, b[i * tb[0]! + j * tb[1]! + k * tb[2]! + l * tb[3]!]!);
    y[o] = Math.min(hi, Math.max(lo, v));
  }
  return y;
}

function softmax(ctx: Ctx, op: Op): Float32Array {
  const x = input(ctx, op, 0);
  const shape = ctx.graph.tensors[op.inputs[0]!]!.shape;
  const depth = shape.at(-1) ?? 1;
  const beta = typeof op.options.beta === 'number' ? op.options.beta : 1;
  const y = new Float32Array(x.length);
  for (let r = 0; r < x.length; r += depth) {
    let max = -Infinity;
    for (let i = 0; i < depth; i++) max = Math.max(max, x[r + i]!);
    let sum = 0;
    for (let i = 0; i < depth; i++) sum += (y[r + i] = fr(Math.exp((x[r + i]! - max) * beta)));
    for (let i = 0; i < depth; i++) y[r + i] = fr(y[r + i]! / fr(sum));
  }
  return y;
}

function runOp(ctx: Ctx, op: Op): Float32Array {
  switch (op.type) {
    case 'CONV_2D': return conv(ctx, op, false);
    case 'DEPTHWISE_CONV_2D': return conv(ctx, op, true);
    case 'FULLY_CONNECTED': return fullyConnected(ctx, op);
    case 'AVERAGE_POOL_2D': return pool(ctx, op, true);
    case 'MAX_POOL_2D': return pool(ctx, op, false);
    case 'ADD': return binary(ctx, op, (a, b) => fr(a + b));
    case 'MUL': return binary(ctx, op, (a, b) => fr(a * b));
    case 'SOFTMAX': return softmax(ctx, op);
    case 'RESHAPE': case 'SQUEEZE': case 'EXPAND_DIMS': return input(ctx, op, 0).slice();
    default: return refuse(op, 'operator not supported by the float executor');
  }
}

// Constants decoded once per graph.
const decoded = new WeakMap<Graph, (Float32Array | undefined)[]>();

function constants(graph: Graph): (Float32Array | undefined)[] {
  let c = decoded.get(graph);
  if (!c) {
    c = graph.tensors.map((t: Tensor) => (t.data ? Float32Array.from(constantValues(t)) : undefined));
    decoded.set(graph, c);
  }
  return c;
}

/** Runs the graph in float32; inputs in graph.inputs order, row-major NHWC; outputs likewise. */
export function runFloat(graph: Graph, inputs: Float32Array[], observe?: Observer): Float32Array[] {
  if (inputs.length !== graph.inputs.length) throw new ConvertError(`the model takes ${graph.inputs.length} inputs, ${inputs.length} given`);
  const ctx: Ctx = { graph, values: constants(graph).slice() };
  graph.inputs.forEach((t, k) => {
    const n = elementCount(graph.tensors[t]!.shape);
    if (inputs[k]!.length !== n) throw new ConvertError(`input ${k} ('${graph.tensors[t]!.name}') has ${inputs[k]!.length} values, expected ${n}`);
    ctx.values[t] = inputs[k]!;
    observe?.(t, inputs[k]!);
  });
  for (const op of graph.ops) {
    if (op.outputs.length !== 1) refuse(op, `${op.outputs.length} outputs; the float executor runs ops with one`);
    const y = runOp(ctx, op);
    const t = op.outputs[0]!;
    if (y.length !== elementCount(graph.tensors[t]!.shape)) refuse(op, `computed ${y.length} values for output '${graph.tensors[t]!.name}' [${graph.tensors[t]!.shape}]`);
    ctx.values[t] = y;
    observe?.(t, y);
  }
  return graph.outputs.map((t) => {
    const v = ctx.values[t];
    if (!v) throw new ConvertError(`output '${graph.tensors[t]!.name}' is never computed`);
    return v;
  });
}
