// The float32 reference executor over the converter's Graph: runs a float (or hybrid) TFLite graph
// as TensorFlow Lite Micro's reference float kernels do (ops.ts), so post-training quantization can
// calibrate on it and measure what quantization costs. Values: one Float32Array per tensor,
// row-major (NHWC for activations), computed in op order; activations must be float32.
// Constants are decoded once per Tensor object and kept (a WeakMap, so graph copies that share
// tensors share the work; a tensor's data is taken as immutable): float32 as stored, int32 as
// numbers, int8 / uint8 dequantized to float32(scale * (q - zero point)), per tensor or per channel
// along quant.axis. Hybrid models keep int8 weights beside float activations; TFLite's hybrid
// kernels also quantize the activations on the fly, which this executor does not: it gives the
// float result those kernels approximate.
// Before an op runs, what the kernels rely on is checked: tensor indices inside the graph, shapes of
// non-negative integers, each input a constant, a graph input or an earlier op's output, each value
// as long as its shape says. A malformed graph is refused with a ConvertError naming the op and the
// tensor, never a RangeError or TypeError.

import { ConvertError, DTYPE_BYTES, elementCount, type Graph, type Op, type Tensor } from '../graph.js';
import { refuse } from '../lower/common.js';
import { constantValues } from './constants.js';
import { runOp, type OpArgs } from './ops.js';

/** Called with every graph input and every op output (after its fused activation), in execution order. */
export type Observer = (tensor: number, values: Float32Array) => void;

// 1 GiB of float32: a larger tensor is a malformed shape, not a model this executor should allocate.
const MAX_ELEMENTS = 2 ** 28;

const decoded = new WeakMap<Tensor, Float32Array>();

// `where` prefixes a refusal: the op (as refuse() words it) or the graph's own inputs and outputs.
type Fail = (what: string) => never;
const opFail = (op: Op): Fail => (what) => refuse(op, what);
const graphFail = (graph: Graph): Fail => (what) => {
  throw new ConvertError(graph.source ? `${graph.source}: ${what}` : what);
};

function tensorAt(graph: Graph, t: number, role: string, fail: Fail): Tensor {
  const tensor = Number.isInteger(t) && t >= 0 ? graph.tensors[t] : undefined;
  if (!tensor) fail(`${role} is tensor ${t}, not one of the graph's ${graph.tensors.length}`);
  const dims = tensor.shape;
  if (!Array.isArray(dims) || !dims.every((d) => Number.isInteger(d) && d >= 0) || elementCount(dims) > MAX_ELEMENTS) {
    fail(`${role} '${tensor.name}' has shape [${String(dims)}], not up to ${MAX_ELEMENTS} elements in non-negative integer dimensions`);
  }
  return tensor;
}

function expectFloat(tensor: Tensor, role: string, fail: Fail): void {
  if (tensor.dtype !== 'float32') fail(`${role} '${tensor.name}' is ${tensor.dtype}; the float executor computes float32 activations`);
}

// A constant's values, decoded on first use; what constantValues() assumes is checked here first.
function constant(tensor: Tensor, role: string, fail: Fail): Float32Array {
  const cached = decoded.get(tensor);
  if (cached) return cached;
  const named = `${role} '${tensor.name}'`;
  const { dtype, shape, quant: q, data } = tensor;
  const n = elementCount(shape);
  if (dtype !== 'float32' && dtype !== 'int32' && dtype !== 'int8' && dtype !== 'uint8') {
    fail(`${named} is a ${dtype} constant; the float executor reads float32, int32, and int8 or uint8 with quantization`);
  }
  if (data!.byteLength < n * DTYPE_BYTES[dtype]) fail(`${named} [${shape}] holds ${data!.byteLength} bytes, expected ${n * DTYPE_BYTES[dtype]}`);
  if (dtype === 'int8' || dtype === 'uint8') {
    if (!q || q.scale.length < 1) fail(`${named} is ${dtype} without quantization parameters`);
    if (!q.scale.every(Number.isFinite)) fail(`${named} has scales [${q.scale}], not all finite`);
    if (q.zeroPoint.length !== 0 && q.zeroPoint.length !== q.scale.length) {
      fail(`${named} has ${q.scale.length} scales and ${q.zeroPoint.length} zero points`);
    }
    if (q.scale.length > 1 && shape[q.axis] !== q.scale.length) {
      fail(`${named} [${shape}] has ${q.scale.length} scales along axis ${q.axis}, whose size is ${shape[q.axis]}`);
    }
  }
  const values = Float32Array.from(constantValues(tensor));
  decoded.set(tensor, values);
  return values;
}

/** Runs the graph in float32 as TFLite's reference float kernels do; inputs in graph.inputs order, row-major NHWC. */
export function runFloat(graph: Graph, inputs: Float32Array[], observe?: Observer): Float32Array[] {
  const atGraph: Fail = graphFail(graph);
  if (inputs.length !== graph.inputs.length) atGraph(`the model takes ${graph.inputs.length} inputs, ${inputs.length} given`);
  const values: (Float32Array | undefined)[] = new Array(graph.tensors.length);
  graph.inputs.forEach((t, k) => {
    const tensor = tensorAt(graph, t, `input ${k}`, atGraph);
    expectFloat(tensor, `input ${k}`, atGraph);
    const x = inputs[k], n = elementCount(tensor.shape);
    if (!(x instanceof Float32Array)) atGraph(`input ${k} ('${tensor.name}') is not a Float32Array`);
    if (x.length !== n) atGraph(`input ${k} ('${tensor.name}') has ${x.length} values, expected ${n}`);
    values[t] = x;
    observe?.(t, x);
  });
  for (const op of graph.ops) {
    const fail: Fail = opFail(op);
    if (op.outputs.length !== 1) fail(`${op.outputs.length} outputs; the float executor runs ops with one`);
    const t = op.outputs[0]!;
    const args: OpArgs = { op, values: [], tensors: [], output: tensorAt(graph, t, 'output 0', fail) };
    expectFloat(args.output, 'output 0', fail);
    op.inputs.forEach((i, k) => {
      if (i === -1) {
        args.values.push(undefined);
        args.tensors.push(undefined);
        return;
      }
      const tensor = tensorAt(graph, i, `input ${k}`, fail);
      const v = values[i] ?? (tensor.data ? constant(tensor, `input ${k}`, fail) : undefined);
      if (!v) fail(`input ${k} ('${tensor.name}') has no value: not a constant, a graph input or an earlier op's output`);
      args.values.push(v);
      args.tensors.push(tensor);
    });
    const y = runOp(args);
    if (y.length !== elementCount(args.output.shape)) {
      fail(`computed ${y.length} values for output '${args.output.name}' [${args.output.shape}]`);
    }
    values[t] = y;
    observe?.(t, y);
  }
  return graph.outputs.map((t, k) => {
    const tensor = tensorAt(graph, t, `output ${k}`, atGraph);
    const v = values[t] ?? (tensor.data ? constant(tensor, `output ${k}`, atGraph) : undefined);
    if (!v) atGraph(`output ${k} ('${tensor.name}') is never computed`);
    return v;
  });
}
