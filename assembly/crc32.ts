// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), as zlib computes it: the .ewm checksum.

const table = memory.data(256 * 4);
let tableReady = false;

function fillTable(): void {
  for (let n: u32 = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    store<u32>(table + (<usize>n << 2), c);
  }
  tableReady = true;
}

export function crc32(ptr: usize, len: usize): u32 {
  if (!tableReady) fillTable();
  let c: u32 = 0xffffffff;
  for (let i: usize = 0; i < len; i++) {
    c = load<u32>(table + (<usize>((c ^ load<u8>(ptr + i)) & 0xff) << 2)) ^ (c >>> 8);
  }
  return c ^ 0xffffffff;
}
