// The runtime as a WASI (preview1) command, for `edgewasm bundle`: the model travels in the module,
// placed by the bundler at BUNDLE (where the runtime's static data ends) as a 16-byte header — "EWMB", the model's byte size, 8 reserved bytes — and the .ewm bytes. _start loads it,
// then reads samples from stdin, each exactly the first input's bytes, runs the model on each and
// writes the first output's bytes to stdout. A failure writes one line to stderr and exits 1: the
// status, index and value the host library would turn into a message (docs/FORMAT.md), or what
// was wrong with stdin. Strings are ASCII literals written byte by byte; no allocation.

import { load_model, run_model, io_tensor } from './executor';
import { tensorData, tensorBytes } from './model';
import { errorIndex, errorValue } from './errors';
import { skipTo } from './alloc';

// @ts-ignore: decorator
@external('wasi_snapshot_preview1', 'fd_read')
declare function fd_read(fd: u32, iovs: usize, iovsLen: usize, nread: usize): u16;
// @ts-ignore: decorator
@external('wasi_snapshot_preview1', 'fd_write')
declare function fd_write(fd: u32, iovs: usize, iovsLen: usize, nwritten: usize): u16;
// @ts-ignore: decorator
@external('wasi_snapshot_preview1', 'proc_exit')
declare function proc_exit(code: u32): void;

/** Where the bundler places the model: the end of static data (read by host/bundle.ts, before _start). */
export function ew_bundle_base(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}
const BUNDLE_MAGIC: u32 = 0x424d5745; // "EWMB"
const IO = memory.data(32, 16); // one iovec and a count
const TEXT = memory.data(96, 16); // a line of stderr

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

function fatal(): void {
  store<u8>(TEXT + textLength++, 10);
  transfer(true, 2, TEXT, textLength);
  proc_exit(1);
}

function failStatus(what: string, status: i32): void {
  text('edgewasm: '); text(what); text(' status '); number(status);
  text(' index '); number(errorIndex); text(' value '); number(errorValue);
  fatal();
}

function main(): void {
  const BUNDLE = ew_bundle_base();
  const size = load<u32>(BUNDLE, 4);
  if (load<u32>(BUNDLE) != BUNDLE_MAGIC) { text('edgewasm: no model in this module'); fatal(); }
  skipTo(BUNDLE + 16 + <usize>size);
  const s = load_model(BUNDLE + 16, size);
  if (s != 0) failStatus('model refused:', s);
  const input = io_tensor(false, 0);
  const output = io_tensor(true, 0);
  const inBytes = <usize>tensorBytes(input);
  const outBytes = <usize>tensorBytes(output);
  let samples = 0;
  for (;;) {
    const got = transfer(false, 0, tensorData(input), inBytes);
    if (got == 0) break;
    if (got < inBytes) {
      text('edgewasm: stdin ended inside sample '); number(samples); text(' ('); number(<i32>got);
      text(' of '); number(<i32>inBytes); text(' bytes)'); fatal();
    }
    const r = run_model();
    if (r != 0) failStatus('run failed:', r);
    if (transfer(true, 1, tensorData(output), outBytes) < outBytes) { text('edgewasm: cannot write stdout'); fatal(); }
    samples++;
  }
  if (samples == 0) { text('edgewasm: no input on stdin (expected samples of '); number(<i32>inBytes); text(' bytes)'); fatal(); }
}

main();
