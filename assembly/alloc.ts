// Memory for the model bytes and the arena: a bump allocator from the end of static data. Nothing
// is freed (one model per instance) and nothing is allocated during a run. Returns 0 when linear
// memory cannot grow, instead of trapping, so the host gets a status, not a crash.

let top: usize = (__heap_base + 15) & ~(<usize>15);

export function alloc(n: usize): usize {
  const start = top;
  const end = (start + n + 15) & ~(<usize>15);
  if (end < start || n > 0x7fff0000) return 0;
  const pages = <i32>((end + 0xffff) >>> 16);
  const have = memory.size();
  if (pages > have && memory.grow(pages - have) < 0) return 0;
  top = end;
  return start;
}

export function heapTop(): usize {
  return top;
}

/** Moves the heap start to at least `address`: memory below it is someone else's (a bundled model). */
export function skipTo(address: usize): void {
  if (address > top) top = (address + 15) & ~(<usize>15);
}
