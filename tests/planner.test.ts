// The arena planner: tensors alive at the same time never overlap, offsets are aligned, and tensors
// with disjoint lifetimes share memory (the plan is smaller than the sum of the activations).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planArena, lifetimes, type Lifetime } from '../models/planner.js';
import { mulberry32 } from '../models/prng.js';

test('planner: no two live tensors overlap, offsets are 16-byte aligned (seeded random lifetimes)', () => {
  const seed = 20261128;
  const rand = mulberry32(seed);
  for (let trial = 0; trial < 200; trial++) {
    const spans: Lifetime[] = Array.from({ length: 1 + Math.floor(rand() * 12) }, (_, tensor) => {
      const first = Math.floor(rand() * 10);
      return { tensor, bytes: 1 + Math.floor(rand() * 500), first, last: first + Math.floor(rand() * 4) };
    });
    const plan = planArena(spans);
    for (const a of spans) {
      const oa = plan.offsets.get(a.tensor)!;
      assert.equal(oa % 16, 0, `seed ${seed} trial ${trial}: tensor ${a.tensor} offset ${oa} misaligned`);
      assert.ok(oa + a.bytes <= plan.arenaSize, `seed ${seed} trial ${trial}: tensor ${a.tensor} past the arena`);
      for (const b of spans) {
        if (a.tensor >= b.tensor || a.last < b.first || b.last < a.first) continue;
        const ob = plan.offsets.get(b.tensor)!;
        assert.ok(oa + a.bytes <= ob || ob + b.bytes <= oa, `seed ${seed} trial ${trial}: tensors ${a.tensor} and ${b.tensor} overlap while both alive`);
      }
    }
  }
});

test('planner: a chain of ops reuses memory; graph inputs live from the start, outputs to the end', () => {
  // t0 -> op0 -> t1 -> op1 -> t2 -> op2 -> t3 : t0 and t2 can share, t1 and t3 can share.
  const ops = [{ inputs: [0], outputs: [1] }, { inputs: [1], outputs: [2] }, { inputs: [2], outputs: [3] }];
  const spans = lifetimes(ops, [0], [3], () => true, () => 100);
  assert.deepEqual(spans.map((s) => [s.tensor, s.first, s.last]), [[0, 0, 0], [1, 0, 1], [2, 1, 2], [3, 2, 2]]);
  const plan = planArena(spans);
  assert.equal(plan.activationBytes, 400);
  assert.equal(plan.arenaSize, 224); // two 100-byte buffers, the second at offset 112
});

test('planner: constants are not planned', () => {
  const spans = lifetimes([{ inputs: [0, 5], outputs: [1] }], [0], [1], (t) => t !== 5, () => 16);
  assert.deepEqual(spans.map((s) => s.tensor).sort(), [0, 1]);
});
