// `edgewasm compress`: a model pruned at each sparsity asked for, converted (a float model pruned
// first, then quantized with the calibration samples, so the ranges are the pruned model's).

import { ConvertError, type Graph } from '../graph.js';
import { convertImported, readModelFile, type Calibration } from '../convert.js';
import { pruneGraph, type PruneScope } from './prune.js';

export interface Compressed { sparsity: number; ewm: Uint8Array; zeros: number; prunable: number }

/** The model at each sparsity (0: unpruned), in order; every refusal names the file. */
export function compressModel(bytes: Uint8Array, source: string, sparsities: number[], scope: PruneScope, calibration?: Calibration): Compressed[] {
  const graph: Graph = readModelFile(bytes, source);
  let samples: Float32Array[][] | undefined;
  const calibrationOnce = calibration && {
    ...calibration,
    samples: (g: Graph) => (samples ??= typeof calibration.samples === 'function' ? calibration.samples(g) : calibration.samples),
  };
  return sparsities.map((sparsity) => {
    try {
      const { graph: pruned, layers } = pruneGraph(graph, { sparsity, scope });
      const { bytes: ewm } = convertImported(pruned, source, calibrationOnce);
      return { sparsity, ewm, zeros: layers.reduce((n, l) => n + l.zeros, 0), prunable: layers.reduce((n, l) => n + l.weights, 0) };
    } catch (e) {
      if (e instanceof ConvertError && !e.message.startsWith(`${source}: `)) throw new ConvertError(`${source}: ${e.message}`);
      throw e;
    }
  });
}
