// The digit compression recipes' parts (models/digits/compress.ts, trainer.ts), quickly: pruning
// zeroes the asked share of each layer and fine-tuning keeps them zero; the distillation gradient
// is the derivative of its loss (finite differences); the truncated SVD is exact at full rank and
// better with rank. The recipes' accuracies come from `npm run digits:compress` (README).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadDigits } from '../models/digits/data.js';
import { activations, backwardFrom, forward, params, scratch, arch, DIGITS, FC_OUT } from '../models/digits/net.js';
import { trainFloat, distillLogitGrad, DIGITS_TRAINING } from '../models/digits/trainer.js';
import { pruneParams, lowRankFc } from '../models/digits/compress.js';
import { mulberry32 } from '../models/prng.js';

const seeded = (a = DIGITS, seed = 3) => {
  const rand = mulberry32(seed);
  return params(a, Float64Array.from({ length: a.paramCount }, () => (rand() - 0.5) * 0.2));
};

test('pruning zeroes 80 % of each layer; masked fine-tuning keeps them zero and moves the rest', () => {
  const { train } = loadDigits();
  const subset = { ...train, count: 96 };
  const p = seeded();
  const { pruned, mask } = pruneParams(p, 0.8);
  for (const w of [pruned.w1, pruned.w2, pruned.w3]) assert.equal(w.filter((x) => x === 0).length, Math.round(0.8 * w.length));
  assert.deepEqual(pruned.b2, p.b2);
  const tuned = trainFloat(subset, { seed: 1, epochs: 1, learningRate: 0.001, init: pruned, mask });
  let moved = 0;
  mask.forEach((keep, i) => {
    if (!keep) assert.equal(tuned.flat[i], 0, `pruned parameter ${i}`);
    else if (tuned.flat[i] !== pruned.flat[i]) moved++;
  });
  assert.ok(moved > 0.5 * mask.reduce((a, b) => a + b, 0), `${moved} kept parameters moved`);
});

test('the distillation gradient is the derivative of T^2 CE(teacher soft targets, student) + CE(label)', () => {
  const { train } = loadDigits();
  const student = seeded(arch(4, 8), 5), teacher = seeded(DIGITS, 6);
  const x = Float64Array.from(train.images.subarray(784 * 3, 784 * 4));
  const [T, alpha, label] = [4, 0.3, train.labels[3]!];
  const act = activations(student.arch), tAct = activations(teacher.arch);
  forward(teacher, x, tAct);
  const soft = (z: Float64Array, t: number) => { const e = Array.from(z, (v) => Math.exp(v / t)); const s = e.reduce((a, b) => a + b); return e.map((v) => v / s); };
  const pt = soft(tAct.logits, T);
  const loss = () => {
    forward(student, x, act);
    const ps = soft(act.logits, T), p = soft(act.logits, 1);
    return alpha * -Math.log(p[label]!) + (1 - alpha) * T * T * -pt.reduce((a, q, c) => a + q * Math.log(ps[c]!), 0);
  };
  loss();
  const grads = params(student.arch), s = scratch(student.arch), dz = new Float64Array(FC_OUT);
  distillLogitGrad(act.logits, tAct.logits, label, T, alpha, dz);
  backwardFrom(student, act, dz, grads, s);
  let checked = 0;
  for (const i of [0, 7, 40, 300, student.arch.paramCount - 15, student.arch.paramCount - 3]) {
    const h = 1e-5, w = student.flat[i]!;
    student.flat[i] = w + h; const up = loss();
    student.flat[i] = w - h; const down = loss();
    student.flat[i] = w;
    const numeric = (up - down) / (2 * h);
    if (Math.abs(numeric) < 1e-7 && Math.abs(grads.flat[i]!) < 1e-7) continue; // a dead ReLU path
    assert.ok(Math.abs(numeric - grads.flat[i]!) <= 1e-5 * Math.max(1, Math.abs(numeric)), `parameter ${i}: numeric ${numeric}, analytic ${grads.flat[i]}`);
    checked++;
  }
  assert.ok(checked >= 3, `${checked} parameters checked`);
  assert.equal(DIGITS_TRAINING.epochs, 8);
});

test('the truncated SVD of the FC layer is exact at full rank and improves with rank', () => {
  const p = seeded();
  const error = (rank: number) => {
    const q = lowRankFc(p, rank).params;
    return q.w3.reduce((m, v, i) => Math.max(m, Math.abs(v - p.w3[i]!)), 0);
  };
  assert.ok(error(10) < 1e-9, `rank 10: ${error(10)}`);
  assert.ok(error(2) > error(4) && error(4) > error(8), 'error falls with rank');
  assert.equal(lowRankFc(p, 4).fcParams, 4 * (10 + DIGITS.fcIn) + 10);
  assert.ok(lowRankFc(p, 4).fcParams <= (DIGITS.sizes[4]! + DIGITS.sizes[5]!) / 2, 'rank 4: half the FC parameters');
});
