// The trade-off table of `edgewasm compress`: for each setting (the original model first), the
// share of the compressed layers removed (zeroed weights, channels, or parameters saved by low rank), the weight and model bytes, the MACs the kernels execute
// (nonzero weights only in sparse layers), the latency of each runtime build measured here (median
// of repeated runs), and what it cost: top-1 agreement with the original model for a
// classifier (a model ending in SOFTMAX), its mean absolute output difference otherwise, and the
// accuracy when labels are given.

import * as F from './format.js';
import { loadModel, quantize } from './runtime.js';
import { opMacs } from './inspect.js';
import { BUILDS, type Build } from './wasm-source.js';

export interface Setting { label: string; sparsity: number; ewm: Uint8Array; zeros: number; prunable: number }

export interface CompressRow {
  setting: string;
  sparsity: number;
  removedShare: number; // of the prunable layers: weights zeroed, channels removed, or parameters saved by low rank
  weightBytes: number; // bytes of conv / depthwise / FC weight tensors in the .ewm
  modelBytes: number;
  macs: number;
  latencyMs: Partial<Record<Build, number>>;
  agreement: { metric: 'top-1 agreement'; value: number } | { metric: 'mean absolute difference'; value: number };
  accuracy?: number;
}

const WEIGHTED = new Set([F.OP_CONV_2D, F.OP_DEPTHWISE_CONV_2D, F.OP_FULLY_CONNECTED]);

const argmax = (v: ArrayLike<number>) => {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
};

// Median ms of one run of `run`, timed for about `budgetMs`.
function timeRun(run: () => void, budgetMs: number): number {
  for (let i = 0; i < 3; i++) run();
  const times: number[] = [];
  const end = performance.now() + budgetMs;
  while (times.length < 5 || (performance.now() < end && times.length < 2000)) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[times.length >> 1]!;
}

/**
 * The table for these settings (the first is the reference the others are compared with), run on
 * `samples` (float inputs of the model's one input), with `labels` (one class per sample) if given.
 */
export async function compressReport(settings: Setting[], samples: Float32Array[], labels?: Uint8Array, budgetMs = 300): Promise<CompressRow[]> {
  const rows: CompressRow[] = [];
  let reference: Float32Array[] = [];
  for (const [k, s] of settings.entries()) {
    const model = await loadModel(s.ewm, { name: s.label });
    const info = model.info;
    const classifier = info.ops.at(-1)?.code === F.OP_SOFTMAX;
    const outputs = samples.map((x) => model.runFloat(x)[0]!);
    if (k === 0) reference = outputs;
    let agree = 0, diff = 0, count = 0, correct = 0;
    outputs.forEach((y, i) => {
      agree += Number(argmax(y) === argmax(reference[i]!));
      for (let j = 0; j < y.length; j++) diff += Math.abs(y[j]! - reference[i]![j]!);
      count += y.length;
      if (labels) correct += Number(argmax(y) === labels[i]);
    });
    const weightTensors = new Set(info.ops.filter((op) => WEIGHTED.has(op.code)).map((op) => op.inputs[1]!));
    const latencyMs: Partial<Record<Build, number>> = {};
    for (const build of BUILDS) {
      const m = await loadModel(s.ewm, { name: s.label, build });
      const t = m.inputs[0]!;
      const x = t.dtype === 'int8' ? quantize(samples[0]!, t.scale, t.zeroPoint) : samples[0]!; // the model's own input dtype
      latencyMs[build] = timeRun(() => m.run(x), budgetMs);
    }
    rows.push({
      setting: s.label,
      sparsity: s.sparsity,
      removedShare: s.prunable ? s.zeros / s.prunable : 0,
      weightBytes: [...weightTensors].reduce((n, t) => n + info.tensors[t]!.bytes, 0),
      modelBytes: s.ewm.length,
      macs: info.ops.reduce((n, op) => n + opMacs(op.code, info.tensors, op.inputs, op.outputs), 0),
      latencyMs,
      agreement: classifier
        ? { metric: 'top-1 agreement', value: agree / samples.length }
        : { metric: 'mean absolute difference', value: diff / count },
      ...(labels ? { accuracy: correct / samples.length } : {}),
    });
  }
  return rows;
}

/** n float inputs spanning the model's int8 input range (seeded: the same table every time). */
export async function randomInputs(ewm: Uint8Array, n: number): Promise<Float32Array[]> {
  const { inputs } = await loadModel(ewm);
  const t = inputs[0]!;
  const count = t.shape.reduce((a, b) => a * b, 1);
  let s = 0x2545f491;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24) - 128; // uniform int8
  const scale = t.dtype === 'int8' ? t.scale : 1 / 128;
  const zp = t.dtype === 'int8' ? t.zeroPoint : 0;
  return Array.from({ length: n }, () => Float32Array.from({ length: count }, () => (next() - zp) * scale));
}

export function formatCompressReport(rows: CompressRow[], samples: number): string {
  const builds = BUILDS.filter((b) => rows[0]?.latencyMs[b] !== undefined);
  const metric = rows[0]?.agreement.metric ?? 'top-1 agreement';
  const head = ['setting', 'removed', 'weight bytes', 'model bytes', 'MACs', ...builds.map((b) => `${b} ms`), metric, ...(rows[0]?.accuracy !== undefined ? ['accuracy'] : [])];
  const pct = (v: number) => `${(100 * v).toFixed(1)} %`;
  const body = rows.map((r) => [
    r.setting, pct(r.removedShare), r.weightBytes.toLocaleString('en-US'), r.modelBytes.toLocaleString('en-US'), r.macs.toLocaleString('en-US'),
    ...builds.map((b) => r.latencyMs[b]!.toFixed(4)),
    r.agreement.metric === 'top-1 agreement' ? pct(r.agreement.value) : r.agreement.value.toPrecision(3),
    ...(r.accuracy !== undefined ? [pct(r.accuracy)] : []),
  ]);
  return [
    `compression trade-offs (${samples} samples; ${metric} with the original model; latency: median ms per run on this machine)`, '',
    `| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...body.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}
