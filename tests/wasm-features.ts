// Validating a module with a chosen set of wasm features (wabt), for the build and bundle tests:
// MVP_ONLY turns off every post-MVP feature, what wasm3 and WAMR's classic interpreter lack.

import wabt from 'wabt';

export const MVP_ONLY = {
  mutable_globals: false, sat_float_to_int: false, sign_extension: false, simd: false, threads: false,
  multi_value: false, tail_call: false, bulk_memory: false, reference_types: false, relaxed_simd: false,
  exceptions: false, extended_const: false, memory64: false, gc: false, function_references: false,
};

/** Empty when the module validates with these features, else wabt's message. */
export async function validate(bytes: Uint8Array, features: Record<string, boolean>): Promise<string> {
  const w = await wabt();
  try {
    const m = w.readWasm(bytes, { readDebugNames: false, ...features });
    m.validate();
    m.destroy();
    return '';
  } catch (e) {
    return (e as Error).message;
  }
}
