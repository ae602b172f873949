// `edgewasm bundle`: one WASI command module holding the runtime and a model. The runtime comes
// built (build/edgewasm-wasi-{simd,mvp}.wasm, from assembly/wasi.ts); the bundle is that module
// with one more active data segment — the model behind a 16-byte header at the address the
// runtime reads it from (its ew_bundle_base(), the end of its static data) — and its initial
// memory set to the pages the model needs: runtime static data, the model, and what loading it
// takes from the heap (the SIMD build's kernel scratch and packed weights, the activation arena),
// measured by loading it in the library runtime of the same build, whose loader is the same code. Only the memory, data and data-count sections change;
// every other section is copied as it is.

import { readFileSync } from 'node:fs';
import { EwmError, statusMessage } from './errors.js';
import type { Build } from './wasm-source.js';
import type { RuntimeExports } from './runtime.js';

const PAGE = 65536;
const BUNDLE_MAGIC = 0x424d5745; // "EWMB", as assembly/wasi.ts checks
const SECTION_MEMORY = 5;
const SECTION_DATA = 11;
const SECTION_DATA_COUNT = 12;

export interface Bundle {
  bytes: Uint8Array;
  /** Initial linear memory pages: what the model needs, no more (the runtime never grows it). */
  pages: number;
  runtimeBytes: number;
}

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

const sleb32 = (n: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) return [...out, b];
    out.push(b | 0x80);
  }
};

/** Reads an unsigned LEB128 at p: [value, next offset]. */
function readUleb(bytes: Uint8Array, p: number): [number, number] {
  let value = 0;
  for (let shift = 0; ; shift += 7) {
    const b = bytes[p++];
    if (b === undefined || shift > 28) throw new EwmError('runtime module: malformed LEB128');
    value += (b & 0x7f) * 2 ** shift;
    if (!(b & 0x80)) return [value, p];
  }
}

interface Section { id: number; body: Uint8Array }

export function readSections(wasm: Uint8Array): Section[] {
  const sections: Section[] = [];
  for (let p = 8; p < wasm.length;) {
    const id = wasm[p]!;
    const [size, start] = readUleb(wasm, p + 1);
    sections.push({ id, body: wasm.subarray(start, start + size) });
    p = start + size;
  }
  return sections;
}

function section(id: number, body: number[] | Uint8Array): Uint8Array {
  return concat([[id, ...uleb(body.length)], body]);
}

/** Imports that do nothing for every function the module imports: enough to instantiate it and
 * call an export that uses none of them. */
export function inertImports(module: WebAssembly.Module): WebAssembly.Imports {
  const imports: Record<string, Record<string, () => number>> = {};
  for (const i of WebAssembly.Module.imports(module)) (imports[i.module] ??= {})[i.name] = () => 0;
  return imports;
}

/** Where the runtime reads its bundled model: its ew_bundle_base(), asked of an instance whose
 * WASI imports do nothing (only _start, never called here, would use them). */
function bundleBase(runtime: Uint8Array): number {
  const module = new WebAssembly.Module(runtime as Uint8Array<ArrayBuffer>);
  const instance = new WebAssembly.Instance(module, inertImports(module));
  return (instance.exports.ew_bundle_base as () => number)();
}

const concat = (parts: (Uint8Array | number[])[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, b) => n + b.length, 0));
  parts.reduce((p, b) => (out.set(b, p), p + b.length), 0);
  return out;
};

/** Bytes a loaded model takes from the heap: loaded by the library runtime of this build, whose
 * load_model (assembly/executor.ts) allocates as the bundled runtime's does. */
function heapBytes(model: Uint8Array, build: Build, file: string): number {
  const library = new WebAssembly.Module(readFileSync(new URL(`../../build/edgewasm-${build}.wasm`, import.meta.url)));
  const instance = new WebAssembly.Instance(library, {});
  (instance.exports._initialize as (() => void) | undefined)?.();
  const wasm = instance.exports as unknown as RuntimeExports;
  const at = wasm.ew_alloc(model.length);
  if (at === 0) throw new EwmError(`${file}: cannot allocate ${model.length} bytes of wasm memory for the model`);
  new Uint8Array(wasm.memory.buffer, at, model.length).set(model);
  const before = wasm.ew_heap_top();
  const status = wasm.ew_load(at, model.length);
  if (status !== 0) throw new EwmError(`${file}: ${statusMessage(status, wasm.ew_error_index(), wasm.ew_error_value())}`, status);
  return wasm.ew_heap_top() - before;
}

export function bundle(model: Uint8Array, build: Build, file = 'model', runtime?: Uint8Array): Bundle {
  const base = runtime ?? new Uint8Array(readFileSync(new URL(`../../build/edgewasm-wasi-${build}.wasm`, import.meta.url)));
  const sections = readSections(base);
  const at = bundleBase(base);
  const header = new Uint8Array(16);
  new DataView(header.buffer).setUint32(0, BUNDLE_MAGIC, true);
  new DataView(header.buffer).setUint32(4, model.length, true);
  const end = Math.ceil((at + 16 + model.length) / 16) * 16 + heapBytes(model, build, file);
  const pages = Math.ceil(end / PAGE);
  const segment = [0x00, 0x41, ...sleb32(at), 0x0b, ...uleb(16 + model.length)];

  const out: Uint8Array[] = [base.subarray(0, 8)];
  let hasData = false;
  for (const s of sections) {
    if (s.id === SECTION_MEMORY) {
      // No maximum: a host may take pages of its own (jco's preview1 adapter grows memory by one).
      out.push(section(SECTION_MEMORY, [1, 0x00, ...uleb(pages)]));
    } else if (s.id === SECTION_DATA) {
      const [count, p] = readUleb(s.body, 0);
      out.push(section(SECTION_DATA, concat([uleb(count + 1), s.body.subarray(p), segment, header, model])));
      hasData = true;
    } else if (s.id === SECTION_DATA_COUNT) {
      out.push(section(SECTION_DATA_COUNT, uleb(readUleb(s.body, 0)[0] + 1)));
    } else {
      out.push(section(s.id, s.body));
    }
  }
  if (!hasData) throw new EwmError('runtime module: no data section to extend');
  return { bytes: concat(out), pages, runtimeBytes: base.length };
}
