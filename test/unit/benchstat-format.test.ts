// Number formatting that must match Go's fmt (benchstat prints with it):
// %.Nf with round-half-to-even on exact halves, and %v's shortest form with
// its own switch to exponent notation. The oracle is a Go program run on
// the same values.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { formatSignedPercent } from '../../src/core/bench/stats';
import { formatGoFixed, formatGoFloat } from '../../src/core/goFormat';

const dir = mkdtempSync(join(tmpdir(), 'goperf-gofmt-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const program = `package main

import (
	"fmt"
	"os"
	"strconv"
)

func main() {
	for _, arg := range os.Args[1:] {
		v, err := strconv.ParseFloat(arg, 64)
		if err != nil {
			panic(err)
		}
		fmt.Printf("%v|%.0f|%.1f|%.2f|%.3f|%+.2f%%\\n", v, v, v, v, v, v)
	}
}
`;

test('formatGoFixed, formatGoFloat and formatSignedPercent print what Go prints', () => {
  writeFileSync(join(dir, 'main.go'), program);
  const values = [
    '0', '-0', '0.5', '1.5', '2.5', '12.5', '-12.5', '0.125', '0.375', '1.005', '2.675', '0.0005', '0.0015', '99.995', '9.9995',
    '1e-05', '0.0001', '0.00012345', '123456', '999999', '1e+06', '1234567', '4144', '42.00000000000001', '3.7932e+08',
    '1.4695000000000003e-07', '1e+21', '1.2e+22', '-7.5e-10', '33.33333333333333', '-50', '0.1', '0.7', '100',
    String(2 ** 53), String(0.1 + 0.2), '5e-324', '1.7976931348623157e+308',
  ];
  const run = spawnSync('go', ['run', 'main.go', ...values], { cwd: dir, encoding: 'utf8', env: { ...process.env, GO111MODULE: 'off' } });
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stdout.trim().split('\n');
  assert.equal(lines.length, values.length);
  values.forEach((text, i) => {
    const value = Number(text);
    const [v, f0, f1, f2, f3, percent] = lines[i].split('|');
    assert.equal(formatGoFloat(value), v, `%v of ${text}`);
    assert.equal(formatGoFixed(value, 0), f0, `%.0f of ${text}`);
    assert.equal(formatGoFixed(value, 1), f1, `%.1f of ${text}`);
    assert.equal(formatGoFixed(value, 2), f2, `%.2f of ${text}`);
    assert.equal(formatGoFixed(value, 3), f3, `%.3f of ${text}`);
    assert.equal(formatSignedPercent(value), percent, `%+.2f%% of ${text}`);
  });
});
