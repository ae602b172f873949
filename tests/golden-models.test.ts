// End to end, the MLPerf Tiny int8 models: convert, run all 16 golden samples through the library,
// and compare every output byte with TensorFlow Lite Micro's.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUILDS } from '../host/index.js';
import { INT8_MODELS, mlperfCase, selected, runGolden } from './golden.js';

for (const name of INT8_MODELS.filter(selected)) {
  for (const build of BUILDS) {
    test(`golden model ${name} (${build} build): every output byte of 16 samples equals TensorFlow Lite Micro's`, async () => {
      assert.deepEqual(await runGolden(mlperfCase(name), build), []);
    });
  }
}
