// The runtime as a WASI (preview1) command, for `edgewasm bundle`: the model travels in the module,
// placed by the bundler at BUNDLE (where the runtime's static data ends) as a 16-byte header —
// "EWMB", the model's byte size, 8 reserved bytes — and the .ewm bytes. _start loads it, then reads
// samples from stdin (or from a file named by its argument, in a directory the host grants, e.g.
// `wasmtime run --dir .`), each exactly every input's bytes in order, runs the model on each and
// writes every output's bytes in order to stdout. A failure writes one line to stderr and exits 1:
// the status, index and value the host library would turn into a message (docs/FORMAT.md), or what
// was wrong with stdin. Strings are ASCII literals written byte by byte; no allocation.

import { load_model, run_model, io_tensor } from './executor';
import { tensorData, tensorBytes, tensorDtype, tensorRecord } from './model';
import { alloc, skipTo } from './alloc';
import { DTYPE_INT8, T_SCALE, T_ZERO_POINT } from '../host/format';
import { errorIndex, errorValue } from './errors';


// @ts-ignore: decorator
@external('wasi_snapshot_preview1', 'fd_read')
declare function fd_read(fd: u32, iovs: usize, iovsLen: usize, nread: usize): u16;
// @ts-ignore: decorator
@external('wasi_snapshot_preview1', 'fd_write')
declare function fd_write(fd: u32, iovs: usize, iovsLen: usize, nwritten: usize): u16;
// @ts-ignore: decorator
@external('wasi_snapshot_preview1', 'proc_exit')
declare function proc_exit(code: u32): void;
// @ts-ignore: decorator
@external('wasi_snapshot_preview1', 'args_sizes_get')
declare function args_sizes_get(argc: usize, bufSize: usize): u16;
// @ts-ignore: decorator
@external('wasi_snapshot_preview1', 'args_get')
declare function args_get(argv: usize, buf: usize): u16;
// @ts-ignore: decorator
@external('wasi_snapshot_preview1', 'fd_prestat_get')
declare function fd_prestat_get(fd: u32, prestat: usize): u16;
// @ts-ignore: decorator
@external('wasi_snapshot_preview1', 'fd_prestat_dir_name')
declare function fd_prestat_dir_name(fd: u32, path: usize, len: usize): u16;
// @ts-ignore: decorator
@external('wasi_snapshot_preview1', 'path_open')
declare function path_open(
  dir: u32, lookup: u32, path: usize, len: usize, oflags: u16, rights: u64, inheriting: u64, fdflags: u16, fd: usize,
): u16;
const RIGHT_FD_READ: u64 = 2;

/** Where the bundler places the model: the end of static data (read by host/bundle.ts, before _start). */
export function ew_bundle_base(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}
const BUNDLE_MAGIC: u32 = 0x424d5745; // "EWMB"
const IO = memory.data(32, 16); // one iovec and a count
const TEXT = memory.data(96, 16); // a line of stderr, or a part of a --top line

// fd_write/fd_read of [p, p + n) until done; false on an error or end of input.
function transfer(write: bool, fd: u32, p: usize, n: usize): usize {
  let done: usize = 0;
  while (done < n) {
    store<usize>(IO, p + done);
    store<usize>(IO, n - done, 4);
    const err = write ? fd_write(fd, IO, 1, IO + 8) : fd_read(fd, IO, 1, IO + 8);
    const k = load<usize>(IO, 8);
    if (err != 0 || k == 0) break;
    done += k;
  }
  return done;
}

let textLength: usize = 0;

function text(s: string): void {
  for (let i = 0; i < s.length && textLength < 95; i++) store<u8>(TEXT + textLength++, <u8>s.charCodeAt(i));
}

function number(v: i32): void {
  if (v < 0) { text('-'); v = -v; }
  let digits: u64 = 0;
  let count = 0;
  let u = <u32>v;
  do { digits = digits * 10 + u % 10; u /= 10; count++; } while (u != 0);
  for (; count > 0; count--, digits /= 10) store<u8>(TEXT + textLength++, <u8>(48 + <u32>(digits % 10)));
}

// |v| to 3 decimals, rounding half away from zero.
function score(v: f64): void {
  if (v < 0) text('-');
  const r = <i64>Math.round(Math.abs(v) * 1000.0);
  number(<i32>(r / 1000));
  text('.');
  const frac = <i32>(r % 1000);
  if (frac < 100) text('0');
  if (frac < 10) text('0');
  number(frac);
}

function flush(fd: u32): void {
  transfer(true, fd, TEXT, textLength);
  textLength = 0;
}

function fatal(code: u32 = 1): void {
  store<u8>(TEXT + textLength++, 10);
  transfer(true, 2, TEXT, textLength);
  proc_exit(code);
}

function failStatus(what: string, status: i32): void {
  text('edgewasm: '); text(what); text(' status '); number(status);
  text(' index '); number(errorIndex); text(' value '); number(errorValue);
  fatal();
}

let inputPath: usize = 0; // a NUL-terminated argument naming the samples file; 0 for stdin

function usage(): void {
  text('usage: BUNDLE.wasm [--top K] [SAMPLES] < samples > outputs (K a positive integer)');
  fatal(2);
}

// K from `--top K` (0 without it) and the samples file (inputPath); anything else is a usage line.
function parseArguments(): i32 {
  if (args_sizes_get(IO, IO + 4) != 0) return 0;
  const argc = load<u32>(IO);
  const argv = alloc(<usize>argc << 2);
  const buf = alloc(load<u32>(IO, 4));
  if (argv == 0 || buf == 0 || args_get(argv, buf) != 0) return 0;
  let top = 0;
  for (let i: u32 = 1; i < argc; i++) {
    const a = load<usize>(argv + (<usize>i << 2));
    if (load<u8>(a) != 45 && load<u8>(a) != 0 && inputPath == 0) { // not "-...": the samples file
      inputPath = a;
      continue;
    }
    const isTop = load<u8>(a) == 45 && load<u8>(a, 1) == 45 && load<u8>(a, 2) == 116 && load<u8>(a, 3) == 111
      && load<u8>(a, 4) == 112 && load<u8>(a, 5) == 0; // "--top"
    let k = 0;
    let p = i + 1 < argc ? load<usize>(argv + (<usize>(i + 1) << 2)) : 0;
    if (isTop && p != 0 && load<u8>(p) != 0) {
      for (; load<u8>(p) != 0; p++) {
        const c = <i32>load<u8>(p) - 48;
        if (c < 0 || c > 9 || k > 100000) { k = 0; break; }
        k = k * 10 + c;
      }
    }
    if (k < 1) usage();
    top = k;
    i++;
  }
  return top;
}

// The samples file's fd, opened in the first preopened directory that holds it: "." for relative
// paths, else the one whose name prefixes the path. Exits 1 naming the file when none does.
function openInput(): u32 {
  let len: usize = 0;
  while (load<u8>(inputPath + len) != 0) len++;
  for (let fd: u32 = 3; fd_prestat_get(fd, IO) == 0; fd++) {
    const nameLen = <usize>load<u32>(IO, 4);
    const name = alloc(nameLen + 1);
    if (load<u8>(IO) != 0 || name == 0 || fd_prestat_dir_name(fd, name, nameLen) != 0) continue;
    let skip: usize = 0;
    if (nameLen == 1 && load<u8>(name) == 46) {
      if (load<u8>(inputPath) == 47) continue; // "." holds relative paths only
    } else {
      let same = len > nameLen && load<u8>(inputPath + nameLen) == 47;
      for (let i: usize = 0; same && i < nameLen; i++) same = load<u8>(name + i) == load<u8>(inputPath + i);
      if (!same) continue;
      skip = nameLen + 1;
    }
    if (path_open(fd, 0, inputPath + skip, len - skip, 0, RIGHT_FD_READ, 0, 0, IO + 8) == 0) return load<u32>(IO, 8);
  }
  text('edgewasm: cannot open ');
  for (let i: usize = 0; i < len && textLength < 80; i++) store<u8>(TEXT + textLength++, load<u8>(inputPath + i));
  text(' (is its directory given to the host?)');
  fatal();
  return 0;
}

// One line: the top K classes of the int8 output t, highest score first, ties to the lower index.
function writeTop(sample: i32, t: i32, k: i32, taken: usize): void {
  const n = tensorBytes(t);
  const data = tensorData(t);
  const scale = <f64>load<f32>(tensorRecord(t), T_SCALE);
  const zp = load<i32>(tensorRecord(t), T_ZERO_POINT);
  memory.fill(taken, 0, <usize>n);
  text('sample '); number(sample); text(':');
  for (let j = 0; j < min(k, n); j++) {
    let best = -1;
    for (let c = 0; c < n; c++) {
      if (load<u8>(taken + <usize>c) == 0 && (best < 0 || load<i8>(data + <usize>c) > load<i8>(data + <usize>best))) best = c;
    }
    store<u8>(taken + <usize>best, 1);
    text(j == 0 ? ' ' : '  '); number(best); text(' (');
    score(<f64>(<i32>load<i8>(data + <usize>best) - zp) * scale);
    text(')');
    flush(1);
  }
  text('\n');
  flush(1);
}

function main(): void {
  const BUNDLE = ew_bundle_base();
  const size = load<u32>(BUNDLE, 4);
  if (load<u32>(BUNDLE) != BUNDLE_MAGIC) { text('edgewasm: no model in this module'); fatal(); }
  skipTo(BUNDLE + 16 + <usize>size);
  const s = load_model(BUNDLE + 16, size);
  if (s != 0) failStatus('model refused:', s);
  const output = io_tensor(true, 0);
  let inBytes: usize = 0;
  for (let k = 0; io_tensor(false, k) >= 0; k++) inBytes += <usize>tensorBytes(io_tensor(false, k));
  const top = parseArguments();
  const source = inputPath != 0 ? openInput() : 0;
  if (top > 0 && tensorDtype(output) != DTYPE_INT8) { text('edgewasm: --top needs an int8 output'); fatal(); }
  const taken = top > 0 ? alloc(<usize>tensorBytes(output)) : 0;
  let samples = 0;
  for (;;) {
    // A sample: each input's bytes in turn; none at all is the end.
    let got: usize = 0;
    for (let k = 0; io_tensor(false, k) >= 0; k++) {
      const t = io_tensor(false, k);
      const n = <usize>tensorBytes(t);
      const part = transfer(false, source, tensorData(t), n);
      got += part;
      if (part < n) break;
    }
    if (got == 0) break;
    if (got < inBytes) {
      text('edgewasm: input ended inside sample '); number(samples); text(' ('); number(<i32>got);
      text(' of '); number(<i32>inBytes); text(' bytes)'); fatal();
    }
    const r = run_model();
    if (r != 0) failStatus('run failed:', r);
    if (top > 0) writeTop(samples, output, top, taken);
    else {
      for (let k = 0; io_tensor(true, k) >= 0; k++) {
        const t = io_tensor(true, k);
        const n = <usize>tensorBytes(t);
        if (transfer(true, 1, tensorData(t), n) < n) { text('edgewasm: cannot write stdout'); fatal(); }
      }
    }
    samples++;
  }
  if (samples == 0) { text('edgewasm: no input (expected samples of '); number(<i32>inBytes); text(' bytes)'); fatal(); }
}

main();
