// Activation memory plan, made at convert time: each activation tensor lives from the op that
// writes it (or the start, for graph inputs) to the last op that reads it (or the end, for graph
// outputs). Tensors are placed greedily, largest first, at the lowest 16-byte aligned offset that
// overlaps no already placed tensor alive at the same time — TensorFlow Lite Micro's greedy planner.

import { ALIGN } from '../host/format.js';

export interface Lifetime {
  tensor: number;
  bytes: number;
  first: number; // first op index at which the tensor must exist
  last: number; // last op index at which it is read
}

export interface Plan {
  offsets: Map<number, number>; // tensor index → arena offset
  arenaSize: number;
  activationBytes: number; // sum of all activation sizes, what a plan without reuse would need
}

export const alignUp = (n: number, a = ALIGN) => Math.ceil(n / a) * a;

/** Lifetimes from an op list given as [inputs, outputs] per op; constants must be filtered out by `isActivation`. */
export function lifetimes(
  ops: { inputs: number[]; outputs: number[] }[], graphInputs: number[], graphOutputs: number[],
  isActivation: (t: number) => boolean, bytesOf: (t: number) => number,
): Lifetime[] {
  const spans = new Map<number, Lifetime>();
  const touch = (t: number, at: number) => {
    if (t < 0 || !isActivation(t)) return;
    const span = spans.get(t);
    if (span) {
      span.first = Math.min(span.first, at);
      span.last = Math.max(span.last, at);
    } else {
      spans.set(t, { tensor: t, bytes: bytesOf(t), first: at, last: at });
    }
  };
  for (const t of graphInputs) touch(t, 0);
  ops.forEach((op, i) => [...op.inputs, ...op.outputs].forEach((t) => touch(t, i)));
  for (const t of graphOutputs) touch(t, Math.max(0, ops.length - 1));
  return [...spans.values()];
}

export function planArena(spans: Lifetime[]): Plan {
  // Largest first; ties by earlier start, then tensor index, so the plan is deterministic.
  const order = [...spans].sort((a, b) => b.bytes - a.bytes || a.first - b.first || a.tensor - b.tensor);
  const placed: { span: Lifetime; offset: number }[] = [];
  const offsets = new Map<number, number>();
  let arenaSize = 0;
  for (const span of order) {
    const live = placed
      .filter((p) => p.span.first <= span.last && span.first <= p.span.last)
      .sort((a, b) => a.offset - b.offset);
    let offset = 0;
    for (const p of live) {
      if (offset + span.bytes <= p.offset) break;
      offset = Math.max(offset, alignUp(p.offset + p.span.bytes));
    }
    placed.push({ span, offset });
    offsets.set(span.tensor, offset);
    arenaSize = Math.max(arenaSize, offset + span.bytes);
  }
  const activationBytes = spans.reduce((sum, s) => sum + s.bytes, 0);
  return { offsets, arenaSize: alignUp(arenaSize), activationBytes };
}
