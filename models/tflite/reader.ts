// Bounds-checked access to the tables of a FlatBuffer, for the TFLite importer.
//
// A FlatBuffer is a tree of tables addressed by little-endian offsets:
//   byte 0: u32 offset of the root table; bytes 4..8: the file identifier ("TFL3").
//   table at t: i32 at t = t - vtable; vtable: u16 vtable bytes, u16 table bytes, then one u16 per field
//     (field i in slot 4 + 2*i: its byte offset inside the table, 0 = absent → schema default).
//   a reference field holds a u32 offset relative to itself; a vector is a u32 length then elements;
//     a string is a vector of UTF-8 bytes.
// flatbuffers' ByteBuffer reads whatever the offsets say (outside the array it yields undefined → 0),
// so every position is checked here before it is read: a corrupt or hostile file becomes a
// ConvertError naming the file, the field and the offending value, never a RangeError, garbage, or a
// huge loop. Table positions are branded (`Table`) so only validated tables reach the field readers.

import { ByteBuffer } from 'flatbuffers';
import { ConvertError } from '../graph.js';

export type Table = number & { readonly __table: unique symbol };

export interface Span {
  start: number; // byte position of element 0
  length: number; // element count
}

export class TableReader {
  private readonly bb: ByteBuffer;
  readonly size: number;
  // Elements left to read: vectors may be shared between tables, so without a budget a small file could
  // make the importer walk one long vector once per referrer. A well-formed file reads each byte ~once.
  private budget: number;

  constructor(
    readonly bytes: Uint8Array,
    readonly source: string,
  ) {
    this.bb = new ByteBuffer(bytes);
    this.size = bytes.length;
    this.budget = 8 * bytes.length + (1 << 20);
  }

  fail(message: string): never {
    throw new ConvertError(`${this.source}: ${message}`);
  }

  private need(pos: number, bytes: number, what: string): void {
    if (!Number.isSafeInteger(pos) || pos < 0 || pos + bytes > this.size) {
      this.fail(`${what}: offset ${pos} points outside the file (${this.size} bytes)`);
    }
  }

  /** The file identifier at bytes 4..8, as text (non-ASCII bytes escaped by the caller's JSON.stringify). */
  identifier(): string {
    return String.fromCharCode(...this.bytes.subarray(4, 8));
  }

  root(what: string): Table {
    this.need(0, 8, what);
    return this.table(this.bb.readUint32(0), what);
  }

  /** Checks that a table and its vtable lie inside the file and are self-consistent. */
  private table(pos: number, what: string): Table {
    this.need(pos, 4, what);
    const vtable = pos - this.bb.readInt32(pos);
    this.need(vtable, 4, `${what} vtable`);
    const vtableBytes = this.bb.readUint16(vtable);
    const tableBytes = this.bb.readUint16(vtable + 2);
    if (vtableBytes < 4 || vtableBytes % 2 !== 0) this.fail(`${what}: vtable size ${vtableBytes}`);
    this.need(vtable, vtableBytes, `${what} vtable`);
    if (tableBytes < 4) this.fail(`${what}: table size ${tableBytes}`);
    this.need(pos, tableBytes, what);
    return pos as Table;
  }

  /** Absolute position of field `index` (width `bytes`) of table t, or 0 when the field is absent. */
  private field(t: Table, index: number, bytes: number, what: string): number {
    const vtable = t - this.bb.readInt32(t);
    const slot = 4 + 2 * index;
    if (slot >= this.bb.readUint16(vtable)) return 0;
    const at = this.bb.readUint16(vtable + slot);
    if (at === 0) return 0;
    const tableBytes = this.bb.readUint16(vtable + 2);
    if (at < 4 || at + bytes > tableBytes) this.fail(`${what}: field at offset ${at} outside its ${tableBytes}-byte table`);
    return t + at;
  }

  int8(t: Table, index: number, fallback: number, what: string): number {
    const p = this.field(t, index, 1, what);
    return p ? this.bb.readInt8(p) : fallback;
  }

  uint8(t: Table, index: number, fallback: number, what: string): number {
    const p = this.field(t, index, 1, what);
    return p ? this.bb.readUint8(p) : fallback;
  }

  bool(t: Table, index: number, fallback: boolean, what: string): boolean {
    const p = this.field(t, index, 1, what);
    return p ? this.bb.readUint8(p) !== 0 : fallback;
  }

  int32(t: Table, index: number, fallback: number, what: string): number {
    const p = this.field(t, index, 4, what);
    return p ? this.bb.readInt32(p) : fallback;
  }

  uint32(t: Table, index: number, fallback: number, what: string): number {
    const p = this.field(t, index, 4, what);
    return p ? this.bb.readUint32(p) : fallback;
  }

  float32(t: Table, index: number, fallback: number, what: string): number {
    const p = this.field(t, index, 4, what);
    return p ? this.bb.readFloat32(p) : fallback;
  }

  /** A 64-bit field as a number; values beyond 2^53 cannot be exact and are refused. */
  int64(t: Table, index: number, fallback: number, what: string, unsigned = false): number {
    const p = this.field(t, index, 8, what);
    return p ? this.safe(unsigned ? this.bb.readUint64(p) : this.bb.readInt64(p), what) : fallback;
  }

  private safe(value: bigint, what: string): number {
    const n = Number(value);
    if (!Number.isSafeInteger(n)) this.fail(`${what}: value ${value} is out of range`);
    return n;
  }

  /** Follows the u32 offset stored at p to a table. */
  private deref(p: number, what: string): Table {
    return this.table(p + this.bb.readUint32(p), what);
  }

  /** The sub-table in field `index`, or null when absent. */
  child(t: Table, index: number, what: string): Table | null {
    const p = this.field(t, index, 4, what);
    return p ? this.deref(p, what) : null;
  }

  /** The vector in field `index` with elements of `elementBytes` bytes, or null when absent. */
  vector(t: Table, index: number, elementBytes: number, what: string): Span | null {
    const p = this.field(t, index, 4, what);
    if (!p) return null;
    const at = p + this.bb.readUint32(p);
    this.need(at, 4, what);
    const length = this.bb.readUint32(at);
    const start = at + 4;
    if (length * elementBytes > this.size - start) {
      this.fail(`${what}: vector of ${length} elements at offset ${at} runs past the end of the file (${this.size} bytes)`);
    }
    this.budget -= length;
    if (this.budget < 0) this.fail(`${what}: vectors referenced more often than the file can hold (corrupt offsets?)`);
    return { start, length };
  }

  int32s(t: Table, index: number, what: string): number[] | null {
    const v = this.vector(t, index, 4, what);
    return v && Array.from({ length: v.length }, (_, i) => this.bb.readInt32(v.start + 4 * i));
  }

  float32s(t: Table, index: number, what: string): number[] | null {
    const v = this.vector(t, index, 4, what);
    return v && Array.from({ length: v.length }, (_, i) => this.bb.readFloat32(v.start + 4 * i));
  }

  int64s(t: Table, index: number, what: string): number[] | null {
    const v = this.vector(t, index, 8, what);
    return v && Array.from({ length: v.length }, (_, i) => this.safe(this.bb.readInt64(v.start + 8 * i), what));
  }

  /** A [ubyte] vector as a view into the file (no copy), or null when absent. */
  bytesOf(t: Table, index: number, what: string): Uint8Array | null {
    const v = this.vector(t, index, 1, what);
    return v && this.bytes.subarray(v.start, v.start + v.length);
  }

  string(t: Table, index: number, what: string): string | null {
    const b = this.bytesOf(t, index, what);
    return b && new TextDecoder().decode(b);
  }

  /** A vector of tables; `what(i)` names element i in messages. */
  tables(t: Table, index: number, what: (i: number) => string, label: string): Table[] {
    const v = this.vector(t, index, 4, label);
    if (!v) return [];
    return Array.from({ length: v.length }, (_, i) => this.deref(v.start + 4 * i, what(i)));
  }

  /** A slice of the file given by absolute offset and size (TFLite's >2 GB buffer layout). */
  slice(offset: number, size: number, what: string): Uint8Array {
    if (size > this.size) this.fail(`${what}: size ${size} exceeds the file (${this.size} bytes)`);
    this.need(offset, size, what);
    return this.bytes.subarray(offset, offset + size);
  }
}
