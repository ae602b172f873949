// The kernels of the float32 reference executor (executor.ts): TensorFlow Lite Micro's reference
// float kernels, transcribed with their float32 arithmetic so the outputs match TFLM's, not merely
// come close. Each product and each running sum is rounded to float32 (Math.fround): a product of
// two float32 values is exact in a double, so fround(a * b) is the float32 product, and TFLM's
// x86-64 build contracts nothing into FMAs. Taps are summed in TFLM's order, the bias is added after
// them, then the fused activation clamps — to ±FLT_MAX for NONE, as TFLM's CalculateActivationRange
// does, so an overflow ends at FLT_MAX as there.
// Layouts: NHWC activations, OHWI conv weights, 1HWO depthwise weights, (O, I) fully connected
// weights; every array row-major. The executor has checked each value's length against its
// tensor's shape; a kernel checks what it relies on beyond that and refuses, naming the tensor.

import { elementCount, type Op, type Tensor } from '../graph.js';
import { windowAxis, intOption } from '../lower/conv.js';
import { refuse } from '../lower/common.js';
import { concatenation, pad, mean } from './layout-ops.js';

/** One op's operands: per op input its value and tensor, undefined for an absent optional input. */
export interface OpArgs {
  op: Op;
  values: (Float32Array | undefined)[];
  tensors: (Tensor | undefined)[];
  output: Tensor;
}

const fr = Math.fround;
const FLT_MAX = 3.4028234663852886e38;

function activation(op: Op): [number, number] {
  switch (op.options.fusedActivationFunction ?? 'NONE') {
    case 'NONE': return [-FLT_MAX, FLT_MAX];
    case 'RELU': return [0, FLT_MAX];
    case 'RELU6': return [0, 6];
    case 'RELU_N1_TO_1': return [-1, 1];
    default: return refuse(op, `fused activation ${String(op.options.fusedActivationFunction)} is not supported by the float executor`);
  }
}

function operand(a: OpArgs, k: number): { v: Float32Array; t: Tensor } {
  const v = a.values[k], t = a.tensors[k];
  if (!v || !t) refuse(a.op, `input ${k} is missing`);
  return { v, t };
}

const describe = (t: Tensor) => `'${t.name}' [${t.shape}]`;

function rank4(op: Op, t: Tensor): [number, number, number, number] {
  if (t.shape.length !== 4) refuse(op, `tensor ${describe(t)} is not of rank 4`);
  return t.shape as [number, number, number, number];
}

function optionalBias(a: OpArgs, channels: number): Float32Array | undefined {
  const v = a.values[2], t = a.tensors[2];
  if (!v || !t) return undefined;
  if (v.length !== channels) refuse(a.op, `bias ${describe(t)} has ${v.length} values, expected ${channels}`);
  return v;
}

// Strides, dilations and each axis's output size and leading padding, as TFLite derives them.
function convWindow(op: Op, inH: number, inW: number, fH: number, fW: number) {
  const sH = intOption(op, 'strideH', 1, 1), sW = intOption(op, 'strideW', 1, 1);
  const dH = intOption(op, 'dilationHFactor', 1, 1), dW = intOption(op, 'dilationWFactor', 1, 1);
  return {
    sH, sW, dH, dW,
    rows: windowAxis(op, op.options.padding, inH, fH, sH, dH),
    cols: windowAxis(op, op.options.padding, inW, fW, sW, dW),
  };
}

// CONV_2D, grouped when the filter has fewer input channels than the input; padding taps skipped.
function conv(a: OpArgs): Float32Array {
  const { op } = a;
  const { v: x, t: xt } = operand(a, 0), { v: w, t: wt } = operand(a, 1);
  const [n, inH, inW, inC] = rank4(op, xt);
  const [filters, fH, fW, fC] = rank4(op, wt);
  const [outN, outH, outW, outC] = rank4(op, a.output);
  const { sH, sW, dH, dW, rows, cols } = convWindow(op, inH, inW, fH, fW);
  const groups = inC / fC;
  if (outN !== n || outH !== rows.out || outW !== cols.out || filters !== outC
    || !Number.isInteger(groups) || groups < 1 || outC % groups !== 0) {
    refuse(op, `input ${describe(xt)}, filter ${describe(wt)} and output ${describe(a.output)} do not agree`);
  }
  const perGroup = outC / groups;
  const bias = optionalBias(a, outC);
  const [lo, hi] = activation(op);
  const y = new Float32Array(n * outH * outW * outC);
  let o = 0;
  for (let b = 0; b < n; b++) for (let oy = 0; oy < outH; oy++) for (let ox = 0; ox < outW; ox++) {
    for (let oc = 0; oc < outC; oc++, o++) {
      const c0 = Math.floor(oc / perGroup) * fC;
      let total = 0;
      for (let ky = 0; ky < fH; ky++) {
        const iy = oy * sH - rows.pad + ky * dH;
        if (iy < 0 || iy >= inH) continue;
        for (let kx = 0; kx < fW; kx++) {
          const ix = ox * sW - cols.pad + kx * dW;
          if (ix < 0 || ix >= inW) continue;
          const xAt = ((b * inH + iy) * inW + ix) * inC + c0, wAt = ((oc * fH + ky) * fW + kx) * fC;
          for (let c = 0; c < fC; c++) total = fr(total + fr(x[xAt + c]! * w[wAt + c]!));
        }
      }
      if (bias) total = fr(total + bias[oc]!);
      y[o] = Math.min(hi, Math.max(lo, total));
    }
  }
  return y;
}

// DEPTHWISE_CONV_2D: output channel oc reads input channel floor(oc / depthMultiplier).
function depthwise(a: OpArgs): Float32Array {
  const { op } = a;
  const { v: x, t: xt } = operand(a, 0), { v: w, t: wt } = operand(a, 1);
  const [n, inH, inW, inC] = rank4(op, xt);
  const [one, fH, fW, fC] = rank4(op, wt);
  const [outN, outH, outW, outC] = rank4(op, a.output);
  const { sH, sW, dH, dW, rows, cols } = convWindow(op, inH, inW, fH, fW);
  const mult = intOption(op, 'depthMultiplier', 1, 1);
  if (one !== 1 || outN !== n || outH !== rows.out || outW !== cols.out || fC !== outC || inC * mult !== outC) {
    refuse(op, `input ${describe(xt)}, filter ${describe(wt)}, depth multiplier ${mult} and output ${describe(a.output)} do not agree`);
  }
  const bias = optionalBias(a, outC);
  const [lo, hi] = activation(op);
  const y = new Float32Array(n * outH * outW * outC);
  let o = 0;
  for (let b = 0; b < n; b++) for (let oy = 0; oy < outH; oy++) for (let ox = 0; ox < outW; ox++) {
    for (let oc = 0; oc < outC; oc++, o++) {
      const ic = Math.floor(oc / mult);
      let total = 0;
      for (let ky = 0; ky < fH; ky++) {
        const iy = oy * sH - rows.pad + ky * dH;
        if (iy < 0 || iy >= inH) continue;
        for (let kx = 0; kx < fW; kx++) {
          const ix = ox * sW - cols.pad + kx * dW;
          if (ix < 0 || ix >= inW) continue;
          total = fr(total + fr(x[((b * inH + iy) * inW + ix) * inC + ic]! * w[(ky * fW + kx) * outC + oc]!));
        }
      }
      if (bias) total = fr(total + bias[oc]!);
      y[o] = Math.min(hi, Math.max(lo, total));
    }
  }
  return y;
}

// FULLY_CONNECTED: as TFLM, batches = output elements / units whatever the ranks (keepNumDims only
// shapes the output tensor), and the input must hold exactly batches rows of depth values.
function fullyConnected(a: OpArgs): Float32Array {
  const { op } = a;
  const { v: x, t: xt } = operand(a, 0), { v: w, t: wt } = operand(a, 1);
  const format = op.options.weightsFormat ?? 0;
  if (format !== 0 && format !== 'DEFAULT') refuse(op, `weights format ${String(format)} is not supported`);
  if (wt.shape.length !== 2) refuse(op, `weights ${describe(wt)} are not of rank 2`);
  const [units, depth] = wt.shape as [number, number];
  if (a.output.shape.at(-1) !== units) refuse(op, `output ${describe(a.output)} does not end in ${units} units`);
  const batches = units > 0 ? elementCount(a.output.shape) / units : 0;
  if (x.length !== batches * depth) refuse(op, `input ${describe(xt)} is not ${batches} rows of ${depth} values`);
  const bias = optionalBias(a, units);
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

// AVERAGE_POOL_2D divides by the taps inside the input, as TFLite does. MAX_POOL_2D starts from
// -FLT_MAX and keeps the running max on a NaN, as TFLM's std::max does.
function pool(a: OpArgs, average: boolean): Float32Array {
  const { op } = a;
  const { v: x, t: xt } = operand(a, 0);
  const [n, inH, inW, c] = rank4(op, xt);
  const ys = rank4(op, a.output);
  const sH = intOption(op, 'strideH', 1, 1), sW = intOption(op, 'strideW', 1, 1);
  const fH = intOption(op, 'filterHeight', 1, 1), fW = intOption(op, 'filterWidth', 1, 1);
  const rows = windowAxis(op, op.options.padding, inH, fH, sH, 1);
  const cols = windowAxis(op, op.options.padding, inW, fW, sW, 1);
  if (ys[0] !== n || ys[1] !== rows.out || ys[2] !== cols.out || ys[3] !== c) {
    refuse(op, `output ${describe(a.output)} does not agree with input ${describe(xt)} and the window`);
  }
  const [lo, hi] = activation(op);
  const y = new Float32Array(n * rows.out * cols.out * c);
  let o = 0;
  for (let b = 0; b < n; b++) for (let oy = 0; oy < rows.out; oy++) for (let ox = 0; ox < cols.out; ox++) {
    const y0 = oy * sH - rows.pad, x0 = ox * sW - cols.pad;
    for (let ch = 0; ch < c; ch++, o++) {
      let acc = average ? 0 : -FLT_MAX;
      let count = 0;
      for (let iy = Math.max(0, y0); iy < Math.min(inH, y0 + fH); iy++) {
        for (let ix = Math.max(0, x0); ix < Math.min(inW, x0 + fW); ix++, count++) {
          const v = x[((b * inH + iy) * inW + ix) * c + ch]!;
          acc = average ? fr(acc + v) : (acc < v ? v : acc);
        }
      }
      y[o] = Math.min(hi, Math.max(lo, average ? fr(acc / count) : acc));
    }
  }
  return y;
}

// ADD and MUL with numpy broadcasting: shapes padded in front to rank 4, each output dimension the
// larger of the two, which is 1 or equal to it.
function binary(a: OpArgs, f: (p: number, q: number) => number): Float32Array {
  const { op } = a;
  const p = operand(a, 0), q = operand(a, 1);
  const ranks = [p.t, q.t, a.output].map((t) => t.shape.length);
  if (Math.max(...ranks) > 4) refuse(op, `${describe(p.t)}, ${describe(q.t)} -> ${describe(a.output)}: ranks over 4 are not supported`);
  const pad = (s: number[]) => [...Array<number>(4 - s.length).fill(1), ...s];
  const [sa, sb, sy] = [pad(p.t.shape), pad(q.t.shape), pad(a.output.shape)] as [number[], number[], number[]];
  const fits = (s: number[], i: number) => s[i] === sy[i] || s[i] === 1;
  if ([0, 1, 2, 3].some((i) => !fits(sa, i) || !fits(sb, i) || (sy[i] !== sa[i] && sy[i] !== sb[i]))) {
    refuse(op, `${describe(p.t)} and ${describe(q.t)} do not broadcast to output ${describe(a.output)}`);
  }
  const strides = (s: number[]) => s.map((d, i) => (d === 1 ? 0 : elementCount(s.slice(i + 1))));
  const [ta, tb] = [strides(sa), strides(sb)] as [number[], number[]];
  const [lo, hi] = activation(op);
  const y = new Float32Array(elementCount(sy));
  let o = 0;
  for (let i = 0; i < sy[0]!; i++) for (let j = 0; j < sy[1]!; j++) for (let k = 0; k < sy[2]!; k++) {
    const at = i * ta[0]! + j * ta[1]! + k * ta[2]!, bt = i * tb[0]! + j * tb[1]! + k * tb[2]!;
    for (let l = 0; l < sy[3]!; l++, o++) y[o] = Math.min(hi, Math.max(lo, f(p.v[at + l * ta[3]!]!, q.v[bt + l * tb[3]!]!)));
  }
  return y;
}

// SOFTMAX over the last dimension, in float32 step by step as TFLM: exp((x - max) * beta), a float
// sum, then each exp divided by it. An absent beta is the schema's default, 0, as TFLite reads it.
function softmax(a: OpArgs): Float32Array {
  const { op } = a;
  const { v: x, t: xt } = operand(a, 0);
  const depth = xt.shape.at(-1) ?? 1;
  if (a.output.shape.length !== xt.shape.length || a.output.shape.some((d, i) => d !== xt.shape[i])) {
    refuse(op, `output ${describe(a.output)} is not the shape of input ${describe(xt)}`);
  }
  const beta = op.options.beta ?? 0;
  if (typeof beta !== 'number' || !Number.isFinite(beta)) refuse(op, `beta ${String(beta)} is not a number`);
  const b = fr(beta);
  const y = new Float32Array(x.length);
  for (let r = 0; r < x.length; r += depth) {
    let max = -FLT_MAX;
    for (let i = 0; i < depth; i++) max = max < x[r + i]! ? x[r + i]! : max;
    let sum = 0;
    for (let i = 0; i < depth; i++) sum = fr(sum + (y[r + i] = fr(Math.exp(fr(fr(x[r + i]! - max) * b)))));
    for (let i = 0; i < depth; i++) y[r + i] = fr(y[r + i]! / sum);
  }
  return y;
}

/** Runs one op; anything but the ops below is refused by name. */
export function runOp(a: OpArgs): Float32Array {
  switch (a.op.type) {
    case 'CONV_2D': return conv(a);
    case 'DEPTHWISE_CONV_2D': return depthwise(a);
    case 'FULLY_CONNECTED': return fullyConnected(a);
    case 'AVERAGE_POOL_2D': return pool(a, true);
    case 'MAX_POOL_2D': return pool(a, false);
    case 'ADD': return binary(a, (p, q) => fr(p + q));
    case 'MUL': return binary(a, (p, q) => fr(p * q));
    case 'SOFTMAX': return softmax(a);
    case 'CONCATENATION': return concatenation(a);
    case 'PAD': return pad(a);
    case 'MEAN': return mean(a);
    // Element-wise activations: standalone RELU / RELU6 (an ONNX Relu / Clip(0, 6) that could not
    // fuse), LOGISTIC, HARD_SWISH and LEAKY_RELU as TFLite's float kernels define them.
    case 'RELU': return operand(a, 0).v.map((x) => Math.max(0, x));
    case 'RELU6': return operand(a, 0).v.map((x) => Math.min(6, Math.max(0, x)));
    case 'LOGISTIC': return operand(a, 0).v.map((x) => fr(1 / fr(1 + fr(Math.exp(-x)))));
    case 'HARD_SWISH': return operand(a, 0).v.map((x) => fr(fr(x * Math.min(6, Math.max(0, fr(x + 3)))) / 6));
    case 'LEAKY_RELU': {
      const alpha = fr(typeof a.op.options.alpha === 'number' ? a.op.options.alpha : 0.2);
      return operand(a, 0).v.map((x) => (x >= 0 ? x : fr(alpha * x)));
    }
    // The element count is checked by the executor; the values are the input's, in the same order.
    case 'RESHAPE': case 'SQUEEZE': case 'EXPAND_DIMS': return operand(a, 0).v.slice();
    default: return refuse(a.op, 'operator not supported by the float executor');
  }
}
