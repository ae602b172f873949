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
interface Weights {
  magnitudes: Float64Array;
  zeroAt(data: Uint8Array, i: number): void;
}

function weightsOf(t: Tensor, where: string): Weights {
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

/** Returns a copy of the graph with its conv and FC weights pruned to the sparsity asked for. */
export function pruneGraph(graph: Graph, options: PruneOptions): Pruned {
  const source = graph.source ?? 'model';
  const { sparsity, scope = 'layer' } = options;
  if (!(sparsity >= 0 && sparsity < 1)) throw new ConvertError(`${source}: sparsity ${sparsity}: it must be at least 0 and below 1`);
  const targets = graph.ops.filter((op) => PRUNABLE.has(op.type) && graph.tensors[op.inputs[1]!]?.data);
  const weights = targets.map((op) => weightsOf(graph.tensors[op.inputs[1]!]!, `${source}: op ${op.index} (${op.type})`));
  // The magnitude at or under which weights go: per layer, or one over all layers.
  const threshold = (values: Float64Array[]): number => {
    const all = Float64Array.from(values.flatMap((v) => Array.from(v))).sort();
    const k = Math.round(sparsity * all.length);
    return k === 0 ? -1 : all[k - 1]!;
  };
  const globalCut = scope === 'global' ? threshold(weights.map((w) => w.magnitudes)) : 0;
  const tensors = [...graph.tensors];
  const layers: LayerSparsity[] = targets.map((op, j) => {
    const w = weights[j]!;
    const cut = scope === 'global' ? globalCut : threshold([w.magnitudes]);
    // Per layer exactly the share asked for: weights at the cut go in index order until it is
    // reached. Globally every weight at the cut goes.
    const n = w.magnitudes.length;
    const below = w.magnitudes.reduce((a, m) => a + (m < cut ? 1 : 0), 0);
    let tiesLeft = scope === 'global' ? Infinity : Math.round(sparsity * n) - below;
    const t = tensors[op.inputs[1]!]!;
    const data = t.data!.slice();
    let zeros = 0;
    for (let i = 0; i < n; i++) {
      const m = w.magnitudes[i]!;
      const prune = m < cut || (m === cut && tiesLeft-- > 0);
      if (prune) w.zeroAt(data, i);
      if (prune || m === 0) zeros++;
    }
    tensors[op.inputs[1]!] = { ...t, data };
    return { op: op.index, type: op.type, weights: n, zeros };
  });
  return { graph: { ...graph, tensors }, layers };
}
