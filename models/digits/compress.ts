// `npm run digits:compress`: the compression recipes on the project's own digit model, end to end,
// with test-split accuracy (float, and int8 through the runtime) for each:
//   1. prune, then fine-tune: the digit model as `npm run digits` trains it, pruned to 80 % of its
//      weights by magnitude with one cut over all layers (models/compress/prune.ts's keepMask; per
//      layer, the first conv's 72 weights lose too much), before and after 10 epochs of masked
//      fine-tuning; its int8 model stores the FC weights sparse;
//   2. distillation: a narrower student (4 and 8 conv channels, a quarter of the parameters) trained
//      alone, and trained on the teacher's soft targets (temperature 4, alpha 0.3), same seed and
//      epochs;
//   3. low rank: the FC layer (10 x 1568) replaced by its truncated SVD at rank 4, two layers with half
//      the FC parameters, before and after 3 epochs of fine-tuning projected back to rank 4 after
//      every step (float accuracy; the int8 graph builder has no two-layer form of it yet).
// Takes about 4 minutes on one core. Prints a table; `--json FILE` writes it too.

import { writeFileSync } from 'node:fs';
import { Matrix, SVD } from 'ml-matrix';
import { loadModel } from '../../host/index.js';
import { loadDigits, type Digits } from './data.js';
import { arch, params, DIGITS, FC_OUT, type Params } from './net.js';
import { trainFloat, floatPredictions, DIGITS_TRAINING } from './trainer.js';
import { buildEwm } from './quantize.js';
import { int8Predictions, accuracy } from './evaluate.js';
import { keepMask } from '../compress/prune.js';

export const SPARSITY = 0.8;
export const FINE_TUNE = { epochs: 10, learningRate: 0.003 };
export const LOW_RANK_TUNE = { epochs: 3, learningRate: 0.002 };
export const STUDENT = arch(4, 8);
export const DISTILL = { temperature: 4, alpha: 0.3 };
export const RANK = 4;

/**
 * The weights pruned to `sparsity` (biases kept), layer by layer or with one magnitude cut over all
 * layers, and the mask that keeps them so.
 */
export function pruneParams(p: Params, sparsity: number, scope: 'layer' | 'global' = 'layer'): { pruned: Params; mask: Uint8Array } {
  const pruned = params(p.arch, p.flat.slice());
  const mask = new Uint8Array(p.arch.paramCount).fill(1);
  const layers = [pruned.w1, pruned.w2, pruned.w3];
  const keeps = scope === 'layer'
    ? layers.map((w) => keepMask(Array.from(w, Math.abs), sparsity))
    : splitMask(keepMask(layers.flatMap((w) => Array.from(w, Math.abs)), sparsity), layers.map((w) => w.length));
  layers.forEach((w, j) => {
    const at = w.byteOffset / 8;
    keeps[j]!.forEach((k, i) => { if (!k) { w[i] = 0; mask[at + i] = 0; } });
  });
  return { pruned, mask };
}

const splitMask = (keep: Uint8Array, lengths: number[]) => {
  let at = 0;
  return lengths.map((n) => keep.subarray(at, (at += n)));
};

/** The (rows, cols) row-major matrix w replaced, in place, by its rank-r truncated SVD. */
export function truncateRank(w: Float64Array, rows: number, cols: number, rank: number): void {
  const m = new Matrix(Array.from({ length: rows }, (_, o) => Array.from(w.subarray(o * cols, (o + 1) * cols))));
  const svd = new SVD(m, { autoTranspose: true });
  const u = svd.leftSingularVectors, s = svd.diagonal, v = svd.rightSingularVectors;
  for (let o = 0; o < rows; o++) {
    for (let i = 0; i < cols; i++) {
      let sum = 0;
      for (let r = 0; r < rank; r++) sum += u.get(o, r) * s[r]! * v.get(i, r);
      w[o * cols + i] = sum;
    }
  }
}

/**
 * The FC weights replaced by their rank-r truncated SVD, U_r diag(s_r) (10 x r) times V_rᵀ (r x fcIn):
 * two layers with fcParams parameters in all (the second keeps the bias).
 */
export function lowRankFc(p: Params, rank: number): { params: Params; fcParams: number } {
  const out = params(p.arch, p.flat.slice());
  truncateRank(out.w3, FC_OUT, p.arch.fcIn, rank);
  return { params: out, fcParams: rank * (FC_OUT + p.arch.fcIn) + FC_OUT };
}

export interface RecipeRow { recipe: string; parameters: number; zeros: number; floatAccuracy: number; int8Accuracy?: number; ewmBytes?: number }

async function int8Of(p: Params, train: Digits, test: Digits): Promise<{ int8Accuracy: number; ewmBytes: number }> {
  const ewm = buildEwm(p, train);
  return { int8Accuracy: accuracy(int8Predictions(await loadModel(ewm, { name: 'digits' }), test), test.labels), ewmBytes: ewm.length };
}

async function main(): Promise<void> {
  const jsonAt = process.argv.indexOf('--json');
  const { train, test } = loadDigits();
  const log = (line: string) => console.log(`  ${line}`);
  const floatAcc = (p: Params) => accuracy(floatPredictions(p, test), test.labels);
  const zerosOf = (p: Params) => [p.w1, p.w2, p.w3].reduce((n, w) => n + w.filter((x) => x === 0).length, 0);
  const row = async (recipe: string, p: Params, parameters = p.arch.paramCount, int8 = true): Promise<RecipeRow> => ({
    recipe, parameters, zeros: zerosOf(p), floatAccuracy: floatAcc(p), ...(int8 ? await int8Of(p, train, test) : {}),
  });
  const rows: RecipeRow[] = [];

  console.log(`teacher: the digit model (${DIGITS.paramCount} parameters), ${DIGITS_TRAINING.epochs} epochs`);
  const teacher = trainFloat(train, { ...DIGITS_TRAINING, log });
  rows.push(await row('digit model', teacher));

  const { pruned, mask } = pruneParams(teacher, SPARSITY, 'global');
  rows.push(await row(`pruned ${SPARSITY * 100} % (global), no fine-tuning`, pruned));
  console.log(`fine-tuning the pruned model: ${FINE_TUNE.epochs} epochs, pruned weights held at 0`);
  const tuned = trainFloat(train, { seed: DIGITS_TRAINING.seed + 1, ...FINE_TUNE, init: pruned, mask, log });
  rows.push(await row(`pruned ${SPARSITY * 100} % (global), fine-tuned`, tuned));

  console.log(`student (${STUDENT.paramCount} parameters) alone, ${DIGITS_TRAINING.epochs} epochs`);
  const alone = trainFloat(train, { ...DIGITS_TRAINING, arch: STUDENT, log });
  rows.push(await row('student alone', alone));
  console.log(`student distilled from the teacher (T ${DISTILL.temperature}, alpha ${DISTILL.alpha})`);
  const distilled = trainFloat(train, { ...DIGITS_TRAINING, arch: STUDENT, teacher: { params: teacher, ...DISTILL }, log });
  rows.push(await row('student distilled', distilled));

  const { params: lowRank, fcParams } = lowRankFc(teacher, RANK);
  const parameters = DIGITS.paramCount - DIGITS.sizes[4]! - DIGITS.sizes[5]! + fcParams;
  rows.push(await row(`FC rank ${RANK} (SVD), no fine-tuning`, lowRank, parameters, false));
  console.log(`fine-tuning the rank-${RANK} model: ${LOW_RANK_TUNE.epochs} epochs, the FC layer truncated back to rank ${RANK} after every step`);
  const project = (p: Params) => truncateRank(p.w3, FC_OUT, p.arch.fcIn, RANK);
  const lowTuned = trainFloat(train, { seed: DIGITS_TRAINING.seed + 2, ...LOW_RANK_TUNE, init: lowRank, project, log });
  rows.push(await row(`FC rank ${RANK} (SVD), fine-tuned`, lowTuned, parameters, false));

  const pct = (v: number) => `${(100 * v).toFixed(2)} %`;
  console.log(`\ntest split: ${test.count} digits\n\n| recipe | parameters | zero weights | float accuracy | int8 accuracy | .ewm bytes |\n|---|---|---|---|---|---|`);
  for (const r of rows) {
    console.log(`| ${r.recipe} | ${r.parameters.toLocaleString('en-US')} | ${r.zeros.toLocaleString('en-US')} | ${pct(r.floatAccuracy)} | ${r.int8Accuracy === undefined ? '—' : pct(r.int8Accuracy)} | ${r.ewmBytes?.toLocaleString('en-US') ?? '—'} |`);
  }
  if (jsonAt > 0 && process.argv[jsonAt + 1]) writeFileSync(process.argv[jsonAt + 1]!, `${JSON.stringify(rows, null, 1)}\n`);
}

if (process.argv[1]?.endsWith('compress.js')) {
  main().catch((e: unknown) => {
    console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  });
}
