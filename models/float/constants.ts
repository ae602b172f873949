// A constant tensor's values as numbers, whatever its stored type: float32 as stored, int8 / uint8
// dequantized with their scale and zero point (per tensor, or per channel along the quantized
// axis: hybrid models keep int8 weights beside float activations), int32 as is.

import { ConvertError, elementCount, type Tensor } from '../graph.js';

/** A constant's values as floats: float32 as stored, int8/uint8 dequantized (hybrid models), int32 as is. */
export function constantValues(t: Tensor): Float64Array {
  const data = t.data!;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const n = elementCount(t.shape);
  const out = new Float64Array(n);
  if (t.dtype === 'float32') for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, true);
  else if (t.dtype === 'int32') for (let i = 0; i < n; i++) out[i] = view.getInt32(i * 4, true);
  else if ((t.dtype === 'int8' || t.dtype === 'uint8') && t.quant) {
    const q = t.quant;
    const inner = q.scale.length > 1 ? t.shape.slice(q.axis + 1).reduce((a, b) => a * b, 1) : n;
    for (let i = 0; i < n; i++) {
      const c = q.scale.length > 1 ? Math.floor(i / inner) % q.scale.length : 0;
      const raw = t.dtype === 'int8' ? view.getInt8(i) : view.getUint8(i);
      out[i] = q.scale[c]! * (raw - (q.zeroPoint[c] ?? 0));
    }
  } else throw new ConvertError(`constant '${t.name}' is ${t.dtype} without quantization parameters; cannot read it as numbers`);
  return out;
}

