// End to end, per operator: convert each one-op model in ../shared/golden/ops, run every sample,
// and compare every output byte with TensorFlow Lite Micro's.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUILDS } from '../host/index.js';
import { opCases, selected, runGolden } from './golden.js';

for (const c of opCases().filter((c) => selected(c.name))) {
  for (const build of BUILDS) {
    test(`golden op ${c.name} (${build} build): every output byte equals TensorFlow Lite Micro's`, async () => {
      assert.deepEqual(await runGolden(c, build), []);
    });
  }
}
