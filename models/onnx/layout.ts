// The ONNX importer's layout-sensitive ops (import.ts): Concat, Pad, ReduceMean, Squeeze /
// Unsqueeze and Flatten / Reshape, each mapping ONNX's axes of an NCHW image to the graph's NHWC.

import { ConvertError, elementCount } from '../graph.js';
import { attr, ints, int, type Node } from './proto.js';
import type { Importer, Value } from './import.js';

// NHWC position of an ONNX axis of an NCHW tensor.
export function axisOf(im: Importer, v: Value, axis: number): number {
  const rank = im.shape(v).length;
  const a = axis < 0 ? axis + rank : axis;
  return v.nchw ? [0, 3, 1, 2][a]! : a;
}

export function concat(im: Importer, n: Node, index: number, where: string): void {
  const vs = n.input.map((i) => im.value(i, `${where}: input '${i}'`));
  if (vs.some((v) => v.flatCHW || v.nchw !== vs[0]!.nchw)) throw new ConvertError(`${where}: inputs differ in layout`);
  const axis = axisOf(im, vs[0]!, int(n, 'axis', 0));
  const shape = [...im.shape(vs[0]!)];
  shape[axis] = vs.reduce((sum, v) => sum + im.shape(v)[axis]!, 0);
  im.op('CONCATENATION', index, vs.map((v) => v.tensor), n.output[0]!, shape, { axis, fusedActivationFunction: 'NONE' }, vs[0]!.nchw);
}

// Pad with zeros: ONNX's pads (begins, then ends, in ONNX's axis order) as TFLite's (rank, 2) paddings.
export function pad(im: Importer, n: Node, index: number, v: Value, where: string): void {
  const mode = attr(n, 'mode')?.s?.length ? new TextDecoder().decode(attr(n, 'mode')!.s) : 'constant';
  const fill = n.input[2] ? im.constant(n.input[2], `${where}: constant_value`).values[0] : 0;
  if (mode !== 'constant' || fill !== 0) throw new ConvertError(`${where}: mode ${mode}, value ${fill}; edgewasm pads with zeros`);
  const pads = Array.from(im.constant(n.input[1]!, `${where}: pads`).values);
  const s = im.shape(v);
  const rank = s.length;
  if (pads.length !== 2 * rank || pads.some((p) => p < 0)) throw new ConvertError(`${where}: pads [${pads}] for rank ${rank}`);
  const paddings = new Array<number>(2 * rank);
  for (let a = 0; a < rank; a++) {
    const d = axisOf(im, v, a);
    paddings[2 * d] = pads[a]!;
    paddings[2 * d + 1] = pads[a + rank]!;
  }
  const shape = s.map((len, d) => len + paddings[2 * d]! + paddings[2 * d + 1]!);
  im.op('PAD', index, [v.tensor, im.ints(`${n.output[0]}#paddings`, paddings, [rank, 2])], n.output[0]!, shape, {}, v.nchw);
}

// ReduceMean: with keepdims the layout stays; without, only an image's spatial mean (to [N, C]).
export function reduceMean(im: Importer, n: Node, index: number, v: Value, where: string): void {
  const s = im.shape(v);
  const onnxAxes = n.input[1] ? Array.from(im.constant(n.input[1], `${where}: axes`).values) : ints(n, 'axes', s.map((_, i) => i));
  const axes = onnxAxes.map((a) => axisOf(im, v, a));
  const keep = int(n, 'keepdims', 1) === 1;
  if (!keep && v.nchw && axes.sort().join() !== '1,2') throw new ConvertError(`${where}: keepdims 0 over axes [${onnxAxes}] of an image; edgewasm takes its spatial axes`);
  const shape = keep ? s.map((d, i) => (axes.includes(i) ? 1 : d)) : s.filter((_, i) => !axes.includes(i));
  im.op('MEAN', index, [v.tensor, im.ints(`${n.output[0]}#axes`, axes)], n.output[0]!, shape, { keepDims: keep }, keep && v.nchw);
}

// Squeeze / Unsqueeze of an image's 1x1 spatial axes, or of a flat tensor: a reshape.
export function squeeze(im: Importer, n: Node, index: number, v: Value, where: string): void {
  const s = im.shape(v);
  const onnxAxes = n.input[1] ? Array.from(im.constant(n.input[1], `${where}: axes`).values) : ints(n, 'axes', []);
  let target: number[];
  let nchw = false;
  if (n.opType === 'Squeeze' && v.nchw) {
    if (s[1] !== 1 || s[2] !== 1 || onnxAxes.some((a) => a !== 2 && a !== 3 && a !== -1 && a !== -2)) throw new ConvertError(`${where}: squeezes [${onnxAxes}] of an image [${s}]; edgewasm takes 1x1 spatial axes`);
    target = [s[0]!, s[3]!];
  } else if (n.opType === 'Unsqueeze' && s.length === 2 && onnxAxes.length === 2 && onnxAxes.every((a) => a === 2 || a === 3)) {
    target = [s[0]!, 1, 1, s[1]!];
    nchw = true;
  } else if (!v.nchw) {
    const rank = s.length + (n.opType === 'Unsqueeze' ? onnxAxes.length : 0);
    const axes = onnxAxes.map((a) => (a < 0 ? a + rank : a));
    target = n.opType === 'Squeeze' ? s.filter((d, i) => !(axes.length ? axes.includes(i) : d === 1)) : [...s];
    if (n.opType === 'Unsqueeze') for (const a of axes.sort((p, q) => p - q)) target.splice(a, 0, 1);
  } else throw new ConvertError(`${where}: on an image [${s}]`);
  im.op('RESHAPE', index, [v.tensor, im.ints(`${n.output[0]}#shape`, target)], n.output[0]!, target, { newShape: target }, nchw);
}

// Flatten(axis 1), or Reshape to (N, rest): an NCHW tensor flattens in NHWC order and says so.
export function flatten(im: Importer, n: Node, index: number, v: Value, where: string): void {
  const s = im.shape(v);
  let target: number[];
  if (n.opType === 'Flatten') {
    if (int(n, 'axis', 1) !== 1) throw new ConvertError(`${where}: axis ${int(n, 'axis', 1)}; edgewasm takes 1`);
    target = [s[0]!, elementCount(s) / s[0]!];
  } else {
    const shape = Array.from(im.constant(n.input[1]!, `${where}: shape`).values);
    const known = shape.reduce((a, d, i) => a * (d === -1 ? 1 : d === 0 ? s[i]! : d), 1);
    target = shape.map((d, i) => (d === -1 ? elementCount(s) / known : d === 0 ? s[i]! : d));
    if (elementCount(target) !== elementCount(s) || (v.nchw && target.length !== 2)) throw new ConvertError(`${where}: reshape [${s}] to [${shape}]`);
  }
  if (!v.nchw && target.join() === s.join()) { // a no-op reshape vanishes
    im.values.set(n.output[0]!, v);
    return;
  }
  const shapeTensor = im.ints(`${n.output[0]}#shape`, target);
  const flat: [number, number, number] | undefined = v.nchw ? [s[3]!, s[1]!, s[2]!] : v.flatCHW;
  im.op('RESHAPE', index, [v.tensor, shapeTensor], n.output[0]!, target, { newShape: target }, false, flat);
}
