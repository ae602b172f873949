// What post-training quantization cost, measured on the calibration samples: the float graph runs
// in the float reference executor (models/float/), the int8 model in the runtime op by op, and each
// int8 activation is compared with the float activation of the same name:
//   SQNR = 10 log10(sum f^2 / sum (f - dequantized q)^2) dB per layer, over all samples;
// then the outputs: top-1 agreement for a classifier (a graph ending in SOFTMAX), mean absolute
// error otherwise; and the model bytes, float .tflite against int8 .ewm.

import type { Graph } from '../models/graph.js';
import { runFloat } from '../models/float/executor.js';
import { loadModel, dequantize } from './runtime.js';
import { OP_NAMES } from './inspect.js';

export interface LayerReport { op: number; type: string; tensor: string; sqnrDb: number }

export interface QuantReport {
  samples: number;
  layers: LayerReport[];
  output: { metric: 'top-1 agreement'; agree: number } | { metric: 'mean absolute error'; value: number };
  floatBytes: number;
  int8Bytes: number;
}

const argmax = (v: ArrayLike<number>) => {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
};

export async function quantReport(graph: Graph, ewm: Uint8Array, samples: Float32Array[][], floatBytes: number): Promise<QuantReport> {
  const model = await loadModel(ewm, { name: 'quantized model' });
  const sums = new Map<number, { type: string; tensor: string; signal: number; noise: number }>();
  const classifier = graph.ops.at(-1)?.type === 'SOFTMAX';
  let agree = 0, absError = 0, outputCount = 0;
  for (const inputs of samples) {
    const floats = new Map<string, Float32Array>();
    const [want] = runFloat(graph, inputs, (t, values) => floats.set(graph.tensors[t]!.name, values));
    const [got] = model.trace(inputs, (op, outs) => {
      for (const { tensor, values } of outs) {
        const f = floats.get(tensor.name.replace(/\/int8$/, '')); // a graph output's int8 twin (ptq.ts)
        if (tensor.dtype !== 'int8' || !f || f.length !== values.length) continue;
        const q = dequantize(values as Int8Array, tensor.scale, tensor.zeroPoint);
        const s = sums.get(op) ?? { type: OP_NAMES[model.info.ops[op]!.code] ?? String(model.info.ops[op]!.code), tensor: tensor.name, signal: 0, noise: 0 };
        for (let i = 0; i < f.length; i++) { s.signal += f[i]! * f[i]!; s.noise += (f[i]! - q[i]!) ** 2; }
        sums.set(op, s);
      }
    });
    const y = got as Float32Array;
    if (classifier) agree += Number(argmax(y) === argmax(want!));
    for (let i = 0; i < y.length; i++) absError += Math.abs(y[i]! - want![i]!);
    outputCount += y.length;
  }
  const layers = [...sums].map(([op, s]) => ({
    op, type: s.type, tensor: s.tensor, sqnrDb: s.noise === 0 ? Infinity : 10 * Math.log10(s.signal / s.noise),
  }));
  return {
    samples: samples.length, layers,
    output: classifier ? { metric: 'top-1 agreement', agree } : { metric: 'mean absolute error', value: absError / outputCount },
    floatBytes, int8Bytes: ewm.length,
  };
}

export function formatQuantReport(r: QuantReport): string {
  const lines = [`quantization report (${r.samples} calibration samples; SQNR of int8 against float activations)`, '', '| op | type | tensor | SQNR dB |', '|---|---|---|---|'];
  const short = (name: string) => (name.length > 48 ? `…${name.slice(-47)}` : name);
  for (const l of r.layers) lines.push(`| ${l.op} | ${l.type} | ${short(l.tensor)} | ${Number.isFinite(l.sqnrDb) ? l.sqnrDb.toFixed(1) : 'exact'} |`);
  lines.push('');
  lines.push(r.output.metric === 'top-1 agreement'
    ? `output: top-1 agrees with float on ${r.output.agree} of ${r.samples} samples`
    : `output: mean absolute error against float ${r.output.value.toPrecision(4)}`);
  lines.push(`model bytes: float ${r.floatBytes.toLocaleString('en-US')}, int8 ${r.int8Bytes.toLocaleString('en-US')} (int8 / float ${(r.int8Bytes / r.floatBytes).toFixed(2)})`);
  return lines.join('\n');
}
