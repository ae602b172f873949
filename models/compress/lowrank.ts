// Low-rank factorization of a float model's FULLY_CONNECTED and 1x1 CONV_2D layers: the weights
// W (units x depth) become their truncated SVD, two layers — depth -> r (diag(sqrt s_r) V_rᵀ, no bias,
// no activation) then r -> units (U_r diag(sqrt s_r), the bias and the activation) — when that holds
// fewer parameters (r (units + depth) < units depth). r is given, or the least rank keeping a share of
// W's energy (the sum of squared singular values). The singular values are split evenly between the
// two factors so their ranges stay alike for int8 quantization. Float models only: the new
// activation between the factors gets its int8 range from calibration, as every other does.

import { Matrix, SVD } from 'ml-matrix';
import { ConvertError, elementCount, type Graph, type Op, type Tensor } from '../graph.js';

export interface RankOptions { rank?: number; energy?: number }

export interface Factorized { op: number; type: string; units: number; depth: number; rank: number; energyKept: number }

const floats = (t: Tensor) => new Float32Array(t.data!.buffer.slice(t.data!.byteOffset, t.data!.byteOffset + t.data!.length));
const bytes = (v: Float32Array) => new Uint8Array(v.buffer);

/** The graph with each FC / 1x1 conv factorized where it saves parameters, and what was done. */
export function factorizeGraph(graph: Graph, options: RankOptions): { graph: Graph; layers: Factorized[] } {
  const source = graph.source ?? 'model';
  const { rank, energy } = options;
  if ((rank === undefined) === (energy === undefined)) throw new ConvertError(`${source}: give a rank or an energy share, one of them`);
  if (rank !== undefined && !(Number.isInteger(rank) && rank >= 1)) throw new ConvertError(`${source}: rank ${rank}: expected a whole number >= 1`);
  if (energy !== undefined && !(energy > 0 && energy <= 1)) throw new ConvertError(`${source}: energy ${energy}: expected a share in (0, 1]`);
  const tensors = [...graph.tensors];
  const ops: Op[] = [];
  const layers: Factorized[] = [];
  for (const op of graph.ops) {
    const w = tensors[op.inputs[1]!];
    const pointwise = op.type === 'CONV_2D' && w?.shape.length === 4 && w.shape[1] === 1 && w.shape[2] === 1
      && (op.options.strideH ?? 1) === 1 && (op.options.strideW ?? 1) === 1 && tensors[op.inputs[0]!]?.shape[3] === w.shape[3];
    if (!w?.data || w.dtype !== 'float32' || !(op.type === 'FULLY_CONNECTED' || pointwise)) {
      ops.push(op);
      continue;
    }
    const units = w.shape[0]!, depth = elementCount(w.shape) / units;
    const values = floats(w);
    const svd = new SVD(new Matrix(Array.from({ length: units }, (_, u) => Array.from(values.subarray(u * depth, (u + 1) * depth)))), { autoTranspose: true });
    const s = svd.diagonal;
    const total = s.reduce((a, v) => a + v * v, 0);
    let r = rank ?? 0;
    if (energy !== undefined) for (let kept = 0; r < s.length && (kept < energy * total || r === 0); r++) kept += s[r]! ** 2;
    r = Math.min(r, s.length);
    if (r * (units + depth) >= units * depth) {
      ops.push(op);
      continue;
    }
    const u = svd.leftSingularVectors, v = svd.rightSingularVectors;
    const first = new Float32Array(r * depth), second = new Float32Array(units * r);
    for (let k = 0; k < r; k++) {
      const root = Math.sqrt(s[k]!);
      for (let i = 0; i < depth; i++) first[k * depth + i] = root * v.get(i, k);
      for (let o = 0; o < units; o++) second[o * r + k] = root * u.get(o, k);
    }
    const y = tensors[op.outputs[0]!]!;
    const shapeOf = (n: number, other: number) => (pointwise ? [n, 1, 1, other] : [n, other]);
    const w1 = tensors.push({ name: `${w.name}/rank${r}/first`, dtype: 'float32', shape: shapeOf(r, depth), data: bytes(first) }) - 1;
    const w2 = tensors.push({ name: `${w.name}/rank${r}/second`, dtype: 'float32', shape: shapeOf(units, r), data: bytes(second) }) - 1;
    const mid = tensors.push({ name: `${y.name}/rank${r}`, dtype: 'float32', shape: [...y.shape.slice(0, -1), r] }) - 1;
    ops.push({ ...op, inputs: [op.inputs[0]!, w1], outputs: [mid], options: { ...op.options, fusedActivationFunction: 'NONE' } });
    ops.push({ ...op, inputs: [mid, w2, ...op.inputs.slice(2)] });
    layers.push({ op: op.index, type: op.type, units, depth, rank: r, energyKept: s.slice(0, r).reduce((a, v) => a + v * v, 0) / total });
  }
  return { graph: { ...graph, tensors, ops }, layers };
}
