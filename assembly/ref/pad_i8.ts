// PAD (int8) as TensorFlow Lite Micro's reference_ops::Pad does it: walk the output in row-major
// order, writing the pad value outside the interior box and the next input element inside it.
// The pad value is the output zero point (a real 0), or PADV2's constant, chosen at convert time.
// Layout: in (d0, d1, d2, d3) i8 row-major (rank < 4 padded in front with 1);
// out (d0 + before0 + after0, ..., d3 + before3 + after3) i8 row-major.

export function pad_i8_ref(
  out: usize, inp: usize, d0: i32, d1: i32, d2: i32, d3: i32,
  before0: i32, before1: i32, before2: i32, before3: i32,
  after0: i32, after1: i32, after2: i32, after3: i32, padValue: i32,
): void {
  const o0 = d0 + before0 + after0;
  const o1 = d1 + before1 + after1;
  const o2 = d2 + before2 + after2;
  const o3 = d3 + before3 + after3;
  const pad = <i8>padValue;
  let o = out;
  let p = inp;
  for (let i0 = 0; i0 < o0; i0++) {
    const in0 = i0 >= before0 && i0 < before0 + d0;
    for (let i1 = 0; i1 < o1; i1++) {
      const in1 = in0 && i1 >= before1 && i1 < before1 + d1;
      for (let i2 = 0; i2 < o2; i2++) {
        const in2 = in1 && i2 >= before2 && i2 < before2 + d2;
        for (let i3 = 0; i3 < o3; i3++) {
          if (in2 && i3 >= before3 && i3 < before3 + d3) {
            store<i8>(o, load<i8>(p));
            p++;
          } else {
            store<i8>(o, pad);
          }
          o++;
        }
      }
    }
  }
}
