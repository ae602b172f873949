// Unstructured magnitude pruning: the weights of CONV_2D and FULLY_CONNECTED layers whose magnitude
// is smallest become zero, either the same share in every layer ('layer') or one threshold over all
// of them ('global', so layers with many small weights lose more). A weight's magnitude is its real
// value: the float itself, or an int8 weight times its channel's scale, so global pruning compares
// layers of different scales fairly. A zero int8 weight is its channel's zero point (0 for TFLite's
// symmetric weights). Depthwise filters are left whole: they hold a few hundred weights per layer
// and each channel has only its own nine. The graph given is not changed; the pruned one shares
// every tensor but the pruned weights.

import { ConvertError, elementCount, type Graph, type Tensor } from '../graph.js';

export type PruneScope = 'layer' | 'global';

export interface PruneOptions {
  sparsity: number; // the share of weights set to zero, in [0, 1)
  scope?: PruneScope; // default 'layer'
}

export interface LayerSparsity {
  op: number; // the op's index in the source model
  type: string;
  weights: number;
  zeros: number; // after pruning (weights that were zero already count)
}

export interface Pruned {
  graph: Graph;
  layers: LayerSparsity[];
}

const PRUNABLE = new Set(['CONV_2D', 'FULLY_CONNECTED']);

// A weight tensor's values as reals, and a function writing zero at an index of a copy of its data.
export interface Weights {
  magnitudes: Float64Array;
  zeroAt(data: Uint8Array, i: number): void;
}

export function weightsOf(t: Tensor, where: string): Weights {
  const n = elementCount(t.shape);
  const magnitudes = new Float64Array(n);
  const data = t.data!;
  if (t.dtype === 'float32') {
    const f = new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + n * 4));
    for (let i = 0; i < n; i++) magnitudes[i] = Math.abs(f[i]!);
    return { magnitudes, zeroAt: (d, i) => new DataView(d.buffer, d.byteOffset).setFloat32(i * 4, 0, true) };
  }
  if (t.dtype !== 'int8' || !t.quant) {
    throw new ConvertError(`${where}: weights of type ${t.dtype}${t.quant ? '' : ' without quantization'}; pruning takes float32 or int8`);
  }
  const { scale, zeroPoint, axis } = t.quant;
  // Index i's channel along `axis`: (i / inner) % shape[axis].
  const inner = elementCount(t.shape.slice(axis + 1));
  const channels = t.shape[axis] ?? 1;
  const channel = (i: number) => (scale.length === 1 ? 0 : Math.floor(i / inner) % channels);
  const q = new Int8Array(data.buffer, data.byteOffset, n);
  for (let i = 0; i < n; i++) {
    const c = channel(i);
    magnitudes[i] = Math.abs((q[i]! - zeroPoint[c]!) * scale[c]!);
  }
  return { magnitudes, zeroAt: (d, i) => { d[i] = zeroPoint[channel(i)]! & 0xff; } };
}

/**
 * Which of these magnitudes survive pruning to `sparsity`: 0 for the round(sparsity * n) smallest
 * (ties at the cut go in index order), 1 for the rest.
 */
export function keepMask(magnitudes: ArrayLike<number>, sparsity: number): Uint8Array {
  const n = magnitudes.length;
  const k = Math.round(sparsity * n);
  const keep = new Uint8Array(n).fill(1);
  if (k === 0) return keep;
  const cut = Float64Array.from(magnitudes).sort()[k - 1]!;
  let below = 0;
  for (let i = 0; i < n; i++) below += magnitudes[i]! < cut ? 1 : 0;
  let tiesLeft = k - below;
  for (let i = 0; i < n; i++) if (magnitudes[i]! < cut || (magnitudes[i] === cut && tiesLeft-- > 0)) keep[i] = 0;
  return keep;
}

/** Returns a copy of the graph with its conv and FC weights pruned to the sparsity asked for. */
export function pruneGraph(graph: Graph, options: PruneOptions): Pruned {
  const source = graph.source ?? 'model';
  const { sparsity, scope = 'layer' } = options;
  if (!(sparsity >= 0 && sparsity < 1)) throw new ConvertError(`${source}: sparsity ${sparsity}: it must be at least 0 and below 1`);
  const targets = graph.ops.filter((op) => PRUNABLE.has(op.type) && graph.tensors[op.inputs[1]!]?.data);
  const weights = targets.map((op) => weightsOf(graph.tensors[op.inputs[1]!]!, `${source}: op ${op.index} (${op.type})`));
  // Globally: one cut over every layer's magnitudes, every weight at it pruned.
  const all = scope === 'global' ? Float64Array.from(weights.flatMap((w) => Array.from(w.magnitudes))).sort() : undefined;
  const k = all ? Math.round(sparsity * all.length) : 0;
  const globalCut = all && k > 0 ? all[k - 1]! : -1;
  const tensors = [...graph.tensors];
  const layers: LayerSparsity[] = targets.map((op, j) => {
    const w = weights[j]!;
    const keep = all ? Uint8Array.from(w.magnitudes, (m) => (m <= globalCut ? 0 : 1)) : keepMask(w.magnitudes, sparsity);
    const t = tensors[op.inputs[1]!]!;
    const data = t.data!.slice();
    let zeros = 0;
    w.magnitudes.forEach((m, i) => {
      if (!keep[i]) w.zeroAt(data, i);
      if (!keep[i] || m === 0) zeros++;
    });
    tensors[op.inputs[1]!] = { ...t, data };
    return { op: op.index, type: op.type, weights: w.magnitudes.length, zeros };
  });
  return { graph: { ...graph, tensors }, layers };
}
