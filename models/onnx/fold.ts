// Constant folding for the ONNX importer: nodes whose inputs are all known at convert time —
// initializers, Constant nodes, and the Shape of an activation (its shape is fixed) — are
// evaluated here and become constants, so the shape arithmetic exporters write (PyTorch's
// `x.view(x.size(0), -1)` is Shape → Gather → Unsqueeze → Concat → Reshape) leaves no node behind.
// Values are float64 arrays in row-major order with their dims; integers stay exact.

import { ConvertError } from '../graph.js';

export interface Constant { dims: number[]; values: Float64Array }

interface Initializer { name: string; dims: number[]; dataType: number; rawData: Uint8Array; floatData: number[]; int32Data: number[]; int64Data: number[] }
interface Attr { name: string; i: number; t?: Initializer | null }
interface Node { opType: string; input: string[]; attribute: Attr[] }

const FOLDABLE = new Set(['Constant', 'Shape', 'Gather', 'Unsqueeze', 'Squeeze', 'Concat', 'Cast', 'Slice']);

const attrInt = (n: Node, name: string, fallback: number) => n.attribute.find((a) => a.name === name)?.i ?? fallback;

/**
 * The node's output as a constant when it can be folded: `constant(name)` gives an input's value
 * when known, `onnxShape(name)` an activation's shape in ONNX's layout. undefined otherwise.
 */
export function fold(
  n: Node, where: string, constant: (name: string) => Constant | undefined, onnxShape: (name: string) => number[] | undefined,
  decode: (t: Initializer) => Float64Array,
): Constant | undefined {
  if (!FOLDABLE.has(n.opType)) return undefined;
  if (n.opType === 'Constant') {
    const t = n.attribute.find((a) => a.name === 'value')?.t;
    if (!t) throw new ConvertError(`${where}: a Constant without a tensor 'value'`);
    return { dims: t.dims.map(Number), values: decode(t) };
  }
  if (n.opType === 'Shape') {
    const shape = onnxShape(n.input[0]!) ?? constant(n.input[0]!)?.dims;
    return shape && { dims: [shape.length], values: Float64Array.from(shape) };
  }
  const inputs = n.input.map((i) => (i ? constant(i) : undefined));
  if (inputs.some((c, k) => !c && n.input[k])) return undefined;
  const [x] = inputs as Constant[];
  switch (n.opType) {
    case 'Cast': return x;
    case 'Gather': {
      const idx = inputs[1]!;
      if (attrInt(n, 'axis', 0) !== 0 || x!.dims.length !== 1) throw new ConvertError(`${where}: folds Gather on axis 0 of a 1-D constant only`);
      const len = x!.dims[0]!;
      return { dims: idx.dims, values: idx.values.map((i) => x!.values[i < 0 ? i + len : i]!) };
    }
    case 'Unsqueeze': case 'Squeeze': {
      const axes = Array.from(inputs[1]?.values ?? []);
      if (n.opType === 'Squeeze') return { dims: x!.dims.filter((d, i) => !(axes.length ? axes.some((a) => (a + x!.dims.length) % x!.dims.length === i) : d === 1)), values: x!.values };
      const dims = [...x!.dims];
      const rank = dims.length + axes.length;
      for (const a of axes.map((a) => (a + rank) % rank).sort((p, q) => p - q)) dims.splice(a, 0, 1);
      return { dims, values: x!.values };
    }
    case 'Concat': {
      const axis = attrInt(n, 'axis', 0);
      const parts = inputs as Constant[];
      if (parts.some((p) => p.dims.length !== 1) || (axis !== 0 && axis !== -1)) throw new ConvertError(`${where}: folds Concat of 1-D constants only`);
      const values = Float64Array.from(parts.flatMap((p) => Array.from(p.values)));
      return { dims: [values.length], values };
    }
    case 'Slice': {
      const [starts, ends, axes, steps] = [1, 2, 3, 4].map((k) => inputs[k]?.values);
      if (x!.dims.length !== 1 || (axes && axes.some((a) => a !== 0 && a !== -1)) || (steps && steps.some((s) => s !== 1))) {
        throw new ConvertError(`${where}: folds Slice of a 1-D constant with step 1 only`);
      }
      const len = x!.dims[0]!;
      const clamp = (v: number) => Math.max(0, Math.min(len, v < 0 ? v + len : v));
      const values = x!.values.slice(clamp(starts![0]!), clamp(ends![0]!));
      return { dims: [values.length], values };
    }
    default: return undefined;
  }
}

