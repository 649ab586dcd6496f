import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Float64Column, Int32Column, SmallIntColumn, Uint8Column } from '../../src/core/trace/columns';

test('a chunked column holds what a plain array holds, across every chunk size, and takes it out exactly', () => {
  // Past the doubling chunks (up to 2^21 values) into the fixed-size ones, ending inside one.
  const n = (1 << 21) + (1 << 20) + 123;
  const f = new Float64Column();
  const i = new Int32Column();
  const u = new Uint8Column();
  const want = new Float64Array(n);
  let seed = 7;
  const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  const put = (row: number, v: number): void => {
    want[row] = v;
    f.set(row, v + 0.5);
    i.set(row, v - 2 ** 30);
    u.set(row, v & 0xff);
  };
  for (let k = 0; k < n; k++) {
    const v = random();
    want[k] = v;
    f.push(v + 0.5);
    i.push(v - 2 ** 30);
    u.push(v & 0xff);
    if (k % 997 === 996) {
      // Rewrite an earlier row and the last one, as the model's builder does when an interval ends.
      put(random() % (k + 1), random());
      want[k] = random();
      f.setLast(want[k] + 0.5);
      i.setLast(want[k] - 2 ** 30);
      u.setLast(want[k] & 0xff);
    }
  }
  // Every chunk boundary and its neighbours, read back and rewritten.
  for (let edge = 1 << 12; edge < n; edge = edge < 1 << 21 ? edge * 2 : edge + (1 << 20)) {
    for (const row of [edge - 1, edge, edge + 1]) {
      assert.equal(f.get(row), want[row] + 0.5, `row ${row}`);
      assert.equal(i.get(row), want[row] - 2 ** 30, `row ${row}`);
      assert.equal(u.get(row), want[row] & 0xff, `row ${row}`);
      put(row, random());
    }
  }
  assert.equal(f.length, n);
  assert.equal(f.last(), want[n - 1] + 0.5);
  const floats = f.take();
  const ints = i.take();
  const bytes = u.take();
  assert.ok(floats instanceof Float64Array && ints instanceof Int32Array && bytes instanceof Uint8Array);
  assert.equal(floats.buffer.byteLength, n * 8, 'no spare capacity');
  assert.equal(floats.length, n);
  let wrong = -1;
  for (let k = 0; k < n && wrong < 0; k++) {
    if (floats[k] !== want[k] + 0.5 || ints[k] !== want[k] - 2 ** 30 || bytes[k] !== (want[k] & 0xff)) wrong = k;
  }
  assert.equal(wrong, -1, `the first row that differs`);
  assert.equal(f.length, 0, 'taking empties the column');
  assert.equal(f.take().length, 0);
  f.push(1);
  assert.deepEqual(Array.from(f.take()), [1], 'a taken column starts again');
});

test('scatter puts each value at its destination, into a narrower array too, and empties the column', () => {
  const n = (1 << 21) + 5;
  const i = new Int32Column();
  const f = new Float64Column();
  for (let k = 0; k < n; k++) {
    i.push((k % 65536) - 32768);
    f.push(k * 2 ** 33 + 0.25);
  }
  // Reversed within blocks of 1000, so values cross chunk boundaries both ways.
  const dest = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const block = k - (k % 1000);
    dest[k] = Math.min(n, block + 1000) - 1 - (k - block);
  }
  const narrow = new Int16Array(n);
  const wide = new Float64Array(n);
  i.scatter(dest, narrow);
  f.scatter(dest, wide);
  let wrong = -1;
  for (let k = 0; k < n && wrong < 0; k++) {
    if (narrow[dest[k]] !== (k % 65536) - 32768 || wide[dest[k]] !== k * 2 ** 33 + 0.25) wrong = k;
  }
  assert.equal(wrong, -1, 'the first value misplaced');
  assert.equal(i.length, 0, 'scattering empties the column');
});

test('a small-int column stays 16-bit until a value needs more, then keeps every value in 32 bits', () => {
  const narrow = new SmallIntColumn();
  for (let k = 0; k < 5000; k++) narrow.push((k % 200) - 100);
  narrow.setLast(-32768);
  assert.equal(narrow.wide, false);
  const small = narrow.take();
  assert.ok(small instanceof Int16Array && small.length === 5000 && small[4999] === -32768 && small[4998] === (4998 % 200) - 100);

  const widened = new SmallIntColumn();
  for (let k = 0; k < 5000; k++) widened.push((k % 200) - 100);
  widened.setLast(40000);
  widened.push(-70000);
  assert.equal(widened.wide, true);
  const values = widened.take();
  assert.ok(values instanceof Int32Array);
  assert.equal(values.length, 5001);
  assert.equal(values[4998], (4998 % 200) - 100);
  assert.equal(values[4999], 40000);
  assert.equal(values[5000], -70000);
});
