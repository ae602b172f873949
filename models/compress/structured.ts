// Structured pruning: whole output channels of CONV_2D and FULLY_CONNECTED layers removed, with the
// graph surgery that removes the matching input channels downstream, so the model gets smaller and
// faster in every build (no sparse kernel needed). A layer's channels go by the L2 norm of their
// real weights (int8 times the channel's scale, or float), the given share of the weakest per layer
// (at least one channel stays). A layer is pruned only when every path from its output reaches
// channel consumers through ops that keep channels apart: DEPTHWISE_CONV_2D (multiplier 1; its
// channels go too), pooling and one-input activations pass channels through; CONV_2D (one
// group) and FULLY_CONNECTED consume them (their weights lose the matching inputs), also behind a
// RESHAPE that flattens an NHWC map for a FULLY_CONNECTED (its columns h * W * C + w * C + c go).
// It works on an imported graph and on an .ewm read back (models/ewm-reader.ts), whose lowered ops
// carry per-channel multipliers and shifts beside the bias and a COPY for the flatten.
// Anything else in the way — ADD, CONCATENATION, MEAN, SOFTMAX, a graph output — leaves the layer
// whole (ResNet's residual branches, a classifier's last layer).

import { elementCount, type Graph, type Op, type Tensor } from '../graph.js';
import { weightsOf } from './prune.js';

const PRODUCERS = new Set(['CONV_2D', 'FULLY_CONNECTED']);
const PASS = new Set(['DEPTHWISE_CONV_2D', 'MAX_POOL_2D', 'AVERAGE_POOL_2D', 'RELU', 'RELU6', 'LOGISTIC', 'TANH', 'HARD_SWISH', 'LEAKY_RELU']);

export interface ChannelPruning { op: number; type: string; channels: number; removed: number }

// t with the slices along `axis` whose index is not in `keep` dropped (data and per-channel quantization).
function sliceTensor(t: Tensor, axis: number, keep: number[]): Tensor {
  const shape = [...t.shape];
  const outer = elementCount(shape.slice(0, axis)), inner = elementCount(shape.slice(axis + 1)), n = shape[axis]!;
  shape[axis] = keep.length;
  const out: Tensor = { ...t, shape };
  if (t.data) {
    const size = t.data.length / elementCount(t.shape);
    const data = new Uint8Array(elementCount(shape) * size);
    let at = 0;
    for (let o = 0; o < outer; o++) {
      for (const c of keep) {
        const from = ((o * n + c) * inner) * size;
        data.set(t.data.subarray(from, from + inner * size), at);
        at += inner * size;
      }
    }
    out.data = data;
  }
  if (t.quant && t.quant.scale.length > 1 && t.quant.axis === axis) {
    out.quant = { ...t.quant, scale: keep.map((c) => t.quant!.scale[c]!), zeroPoint: keep.map((c) => t.quant!.zeroPoint[c] ?? 0) };
  }
  return out;
}

// An edit keeps the slices `keep` of a tensor along `axis`.
interface Edit { tensor: number; axis: number; keep: number[] }

// An op's per-output-channel inputs after its weights: the bias, and in an .ewm's lowered ops also
// the requantization multipliers and shifts (models/ewm-reader.ts).
const perChannel = (op: Op, keep: number[]): Edit[] =>
  op.inputs.slice(2).filter((t) => t >= 0).map((tensor) => ({ tensor, axis: 0, keep }));

/**
 * The edits that remove channels `drop` of tensor t (channels last), following its consumers; or
 * undefined when some consumer cannot take it.
 */
function plan(graph: Graph, consumers: Map<number, Op[]>, t: number, channels: number, keep: number[], edits: Edit[]): boolean {
  if (graph.outputs.includes(t)) return false;
  edits.push({ tensor: t, axis: graph.tensors[t]!.shape.length - 1, keep });
  for (const op of consumers.get(t) ?? []) {
    if (op.inputs[0] !== t || op.inputs.slice(1).includes(t)) return false;
    if (PASS.has(op.type)) {
      if (op.type === 'DEPTHWISE_CONV_2D') {
        if (graph.tensors[op.inputs[1]!]!.shape[3] !== channels) return false; // depth multiplier 1 only
        edits.push({ tensor: op.inputs[1]!, axis: 3, keep }, ...perChannel(op, keep));
      }
      if (!plan(graph, consumers, op.outputs[0]!, channels, keep, edits)) return false;
    } else if (op.type === 'CONV_2D') {
      const w = graph.tensors[op.inputs[1]!]!;
      if (w.shape[3] !== channels) return false; // grouped
      edits.push({ tensor: op.inputs[1]!, axis: 3, keep });
    } else if (op.type === 'FULLY_CONNECTED') {
      const w = graph.tensors[op.inputs[1]!]!;
      if (w.shape[1] !== channels) return false;
      edits.push({ tensor: op.inputs[1]!, axis: 1, keep });
    } else if (op.type === 'RESHAPE' || op.type === 'COPY') { // COPY: an .ewm's lowered RESHAPE
      // A flatten of an NHWC map into one FULLY_CONNECTED: its columns (p * C + c) for kept c.
      const x = graph.tensors[t]!, y = op.outputs[0]!;
      const next = consumers.get(y) ?? [];
      if (x.shape.length !== 4 || x.shape[0] !== 1 || graph.tensors[y]!.shape.length !== 2 || next.length !== 1 || next[0]!.type !== 'FULLY_CONNECTED') return false;
      if (graph.outputs.includes(y) || next[0]!.inputs[0] !== y) return false;
      const pixels = x.shape[1]! * x.shape[2]!;
      const columns = Array.from({ length: pixels }, (_, p) => keep.map((c) => p * channels + c)).flat();
      edits.push({ tensor: y, axis: 1, keep: columns });
      edits.push({ tensor: next[0]!.inputs[1]!, axis: 1, keep: columns });
    } else {
      return false;
    }
  }
  return true;
}

// t with the slices along `axis` not in `keep` set to zero, its shape unchanged.
function zeroSlices(t: Tensor, axis: number, keep: number[]): Tensor {
  const kept = new Set(keep);
  const n = t.shape[axis]!, inner = elementCount(t.shape.slice(axis + 1));
  const size = t.data!.length / elementCount(t.shape);
  const data = t.data!.slice();
  for (let i = 0; i < elementCount(t.shape); i++) {
    if (!kept.has(Math.floor(i / inner) % n)) data.fill(0, i * size, (i + 1) * size);
  }
  return { ...t, data };
}

/**
 * A copy of the graph with `share` of each prunable layer's output channels removed; with `mode`
 * 'zero' the same channels are zeroed instead (every weight and bias the removal would drop, shapes
 * kept): a model that computes the same outputs, which is how the tests check the surgery.
 */
export function pruneChannels(graph: Graph, share: number, mode: 'remove' | 'zero' = 'remove'): { graph: Graph; layers: ChannelPruning[] } {
  const tensors = [...graph.tensors];
  const g: Graph = { ...graph, tensors };
  const consumers = new Map<number, Op[]>();
  for (const op of graph.ops) for (const t of op.inputs) if (t >= 0) consumers.set(t, [...(consumers.get(t) ?? []), op]);
  const layers: ChannelPruning[] = [];
  for (const op of graph.ops) {
    if (!PRODUCERS.has(op.type)) continue;
    const w = tensors[op.inputs[1]!]!;
    if (!w.data) continue;
    const channels = w.shape[0]!;
    const removed = Math.min(channels - 1, Math.round(share * channels));
    if (removed === 0) continue;
    // Channel strength: the L2 norm of its real weights (prune.ts's magnitudes).
    const { magnitudes } = weightsOf(w, `${graph.source ?? 'model'}: op ${op.index} (${op.type})`);
    const per = magnitudes.length / channels;
    const norm = Array.from({ length: channels }, (_, c) => {
      let s = 0;
      for (let i = 0; i < per; i++) s += magnitudes[c * per + i]! ** 2;
      return s;
    });
    const keep = Array.from({ length: channels }, (_, c) => c).sort((a, b) => norm[b]! - norm[a]! || a - b).slice(0, channels - removed).sort((a, b) => a - b);
    const edits: Edit[] = [{ tensor: op.inputs[1]!, axis: 0, keep }, ...perChannel(op, keep)];
    if (!plan(g, consumers, op.outputs[0]!, channels, keep, edits)) continue;
    for (const e of edits) {
      if (mode === 'remove') tensors[e.tensor] = sliceTensor(tensors[e.tensor]!, e.axis, e.keep);
      else if (tensors[e.tensor]!.data) tensors[e.tensor] = zeroSlices(tensors[e.tensor]!, e.axis, e.keep);
    }
    layers.push({ op: op.index, type: op.type, channels, removed });
  }
  return { graph: g, layers };
}
