// `edgewasm profile`: how long each op of a model takes on this engine — the median over repeated
// runs of the op alone (ew_run_op), next to its MACs and the GMAC/s they give — and the end-to-end
// median of whole runs, so the per-op figures can be checked against it.

import { loadModel, type Build, type TypedArray } from './runtime.js';
import { opRows, formatTable, shapeText } from './inspect.js';
import { DTYPE_SIZES } from './ewm.js';

export interface ProfileRow {
  index: number;
  op: string;
  output: number[];
  macs: number;
  ms: number;
}

export interface Profile {
  build: string;
  rounds: number;
  rows: ProfileRow[];
  /** Median of whole-model runs (ew_run). */
  totalMs: number;
}

const ARRAYS = { int8: Int8Array, uint8: Uint8Array, int16: Int16Array, int32: Int32Array, float32: Float32Array };

export async function profileModel(bytes: Uint8Array, name: string, build: Build | undefined, rounds: number, maxMemory?: number): Promise<Profile> {
  const model = await loadModel(bytes, { name, build, maxMemory });
  // A fixed, non-trivial input: the kernels take the same time for any values.
  const inputs = model.inputs.map((t) => {
    const x = new ARRAYS[t.dtype](t.bytes / DTYPE_SIZES[t.dtype]) as TypedArray;
    for (let i = 0; i < x.length; i++) x[i] = (i * 37) % 101 - 50;
    return x;
  });
  for (let i = 0; i < 3; i++) model.run(...inputs); // compile tiers and caches warm
  const ms = model.profile(inputs, rounds);
  const whole = new Float64Array(rounds);
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    model.run(...inputs);
    whole[r] = performance.now() - t0;
  }
  const rows = opRows(model.info).map((r, i) => ({ index: r.index, op: r.op, output: r.outputShape, macs: r.macs, ms: ms[i]! }));
  return { build: model.build, rounds, rows, totalMs: whole.sort()[rounds >> 1]! };
}

export function formatProfile(p: Profile, file: string): string {
  const sum = p.rows.reduce((n, r) => n + r.ms, 0);
  const macs = p.rows.reduce((n, r) => n + r.macs, 0);
  const gmacs = (m: number, ms: number) => (m && ms ? (m / ms / 1e6).toFixed(2) : '');
  const lines = formatTable([['#', 'op', 'output', 'MACs', 'ms', '%', 'GMAC/s'],
    ...p.rows.map((r) => [String(r.index), r.op, shapeText(r.output), r.macs.toLocaleString('en-US'), r.ms.toFixed(4),
      (100 * r.ms / sum).toFixed(1), gmacs(r.macs, r.ms)])], 3);
  return [
    `${file}: ${p.build} build, median of ${p.rounds} runs per op`,
    '',
    ...lines,
    '',
    `ops: ${sum.toFixed(3)} ms in all, ${gmacs(macs, sum)} GMAC/s; whole runs: ${p.totalMs.toFixed(3)} ms (median)`,
  ].join('\n');
}
