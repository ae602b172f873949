// `edgewasm inspect`: a table of a model's ops with their shapes, multiply-accumulates and
// parameter bytes, and the activation arena next to what the activations would take without reuse.

import * as F from './format.js';
import type { EwmInfo, TensorInfo } from './ewm.js';

/** Op code → name, from the OP_* constants of the format, so the names are written once. */
export const OP_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(F).filter(([k]) => k.startsWith('OP_') && k !== 'OP_COUNT').map(([k, v]) => [v, k.slice(3)]),
);

export interface OpRow {
  index: number;
  op: string;
  inputShape: number[];
  outputShape: number[];
  macs: number;
  paramBytes: number;
}

const elements = (t: TensorInfo) => t.shape.reduce((a, b) => a * b, 1);

/** Multiply-accumulates of one run of an op: its output elements times the taps each one sums. */
export function opMacs(code: number, tensors: TensorInfo[], inputs: number[], outputs: number[]): number {
  const out = tensors[outputs[0]!];
  const weights = tensors[inputs[1]!];
  if (!out || !weights) return 0;
  const [, kh = 1, kw = 1, cin = 1] = weights.shape;
  switch (code) {
    case F.OP_CONV_2D: return elements(out) * kh * kw * cin;
    case F.OP_DEPTHWISE_CONV_2D: return elements(out) * kh * kw;
    case F.OP_FULLY_CONNECTED: {
      const [units = 1, depth = 1] = weights.shape;
      // Sparse weights: only the nonzero ones are multiplied (bytes = bitmaps + nonzero values).
      const perRow = weights.sparse ? weights.bytes - units * Math.ceil(depth / 8) : units * depth;
      return (elements(out) / units) * perRow;
    }
    default: return 0;
  }
}

export function opRows(info: EwmInfo): OpRow[] {
  return info.ops.map((op, index) => {
    const constants = op.inputs.map((t) => info.tensors[t]).filter((t) => t?.constant);
    return {
      index,
      op: OP_NAMES[op.code] ?? `op ${op.code}`,
      inputShape: info.tensors[op.inputs[0]!]?.shape ?? [],
      outputShape: info.tensors[op.outputs[0]!]?.shape ?? [],
      macs: opMacs(op.code, info.tensors, op.inputs, op.outputs),
      paramBytes: constants.reduce((n, t) => n + t!.bytes, 0),
    };
  });
}

/** Sum of all activation tensor sizes: the arena a planner without reuse would need. */
export function activationBytes(info: EwmInfo): number {
  return info.tensors.filter((t) => !t.constant).reduce((n, t) => n + t.bytes, 0);
}

/** Text columns: the first `textColumns` left-aligned, the rest (numbers) right-aligned. */
export function formatTable(table: string[][], textColumns: number): string[] {
  const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  return table.map((row) => row.map((cell, c) => (c >= textColumns ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd());
}

export const shapeText = (s: number[]) => `[${s.join(',')}]`;

export function formatInspect(info: EwmInfo, file: string): string {
  const rows = opRows(info);
  const shape = shapeText;
  const lines = formatTable([['#', 'op', 'input', 'output', 'MACs', 'param bytes'],
    ...rows.map((r) => [String(r.index), r.op, shape(r.inputShape), shape(r.outputShape), r.macs.toLocaleString('en-US'), r.paramBytes.toLocaleString('en-US')])], 4);
  const io = (ts: number[]) => ts.map((t) => {
    const x = info.tensors[t]!;
    return `${x.name} ${x.dtype}${shape(x.shape)}${x.scale ? ` scale ${x.scale} zero_point ${x.zeroPoint}` : ''}`;
  }).join(', ');
  const totalMacs = rows.reduce((n, r) => n + r.macs, 0);
  const params = rows.reduce((n, r) => n + r.paramBytes, 0);
  return [
    `${file}: .ewm version ${info.version}, ${info.fileSize.toLocaleString('en-US')} bytes, ${rows.length} ops`,
    `input:  ${io(info.inputs)}`,
    `output: ${io(info.outputs)}`,
    '',
    ...lines,
    '',
    `total: ${totalMacs.toLocaleString('en-US')} MACs, ${params.toLocaleString('en-US')} parameter bytes`,
    `arena: ${info.arenaSize.toLocaleString('en-US')} bytes (activations without reuse: ${activationBytes(info).toLocaleString('en-US')} bytes)`,
  ].join('\n');
}
