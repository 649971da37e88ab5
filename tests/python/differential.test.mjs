// Python socket programs behave in the playground as under native CPython.
//
// For each case in tests/python/corpus (see harness.mjs for the format):
//   "cpython, twice"   runs it twice with Debian's CPython: the peer's
//                      assertions must pass and the two runs must match after
//                      normalisation. This proves the case and the harness
//                      are deterministic, so a difference found below is a
//                      difference of the playground.
//   "pyodide vs cpython"  runs it with the Pyodide runner and compares with
//                      the first CPython run.
//
// The Pyodide runner is tests/python/pyodide_runner.mjs, or the module named
// by SOCKGATE_PYODIDE_RUNNER; a missing runner fails the file. It gets a gateway started
// with tests/wasm/support.mjs's startGateway(runner.gatewayArgs ?? []) in its
// setup({ gateway: { wsUrl, httpUrl } }).
//
// Environment: SOCKGATE_PY_CASES=a,b runs only those cases;
// SOCKGATE_PY_RUNNERS=cpython runs only the CPython half (the Pyodide tests
// then report themselves skipped, saying so); PYTHON_BIN replaces
// /usr/bin/python3 (experiments only); SOCKGATE_GATEWAY_BIN as for the other
// suites.
//
//   node --test tests/python/
import { after, before, describe, test } from 'node:test';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import assert from 'node:assert/strict';

import * as cpython from './cpython_runner.mjs';
import {
  assertExpectedDifference,
  assertRunOk,
  assertSameBehaviour,
  compareRuns,
  differingFields,
  loadCases,
  normaliseText,
  runCase,
} from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const pyodideRunnerFile = process.env.SOCKGATE_PYODIDE_RUNNER
  ? path.resolve(process.env.SOCKGATE_PYODIDE_RUNNER)
  : path.join(here, 'pyodide_runner.mjs');
if (!fs.existsSync(pyodideRunnerFile)) {
  throw new Error(`the Pyodide runner ${pyodideRunnerFile} does not exist`);
}
const runners = (process.env.SOCKGATE_PY_RUNNERS ?? 'cpython,pyodide').split(',').map((s) => s.trim());
const pyodideWanted = runners.includes('pyodide');
const havePyodide = pyodideWanted;
const SKIP_PYODIDE = 'pyodide runner not selected (SOCKGATE_PY_RUNNERS excludes it)';

const cases = await loadCases();

let pyodide = null;
let gateway = null;

before(async () => {
  await cpython.setup({});
  if (havePyodide) {
    // Imported only now and not guarded: a runner that exists but fails to
    // load must fail the tests, not skip them.
    pyodide = await import(pathToFileURL(pyodideRunnerFile).href);
    const { startGateway } = await import('../wasm/support.mjs');
    gateway = await startGateway(pyodide.gatewayArgs ?? []);
    await pyodide.setup?.({ gateway: { wsUrl: gateway.wsUrl, httpUrl: gateway.httpUrl } });
  }
});

after(async () => {
  await pyodide?.teardown?.();
  await gateway?.stop();
  await cpython.teardown();
});

// The harness itself: normalisation is as narrow as documented, and a
// program that behaves differently is caught.
describe('harness', () => {
  test('normalisation', () => {
    const ports = { main: 23456 };
    const text = [
      "listening on 127.0.0.1:23456, ('127.0.0.1', 23456)",
      "from ('127.0.0.1', 45678) and 127.0.0.1:45679 and localhost:45680 and [::1]:45681",
      "unbound ('0.0.0.0', 0), ('::1', 45682, 0, 0)",
      'sent 4194304 bytes, 12345 items, sha256 ab23456cd, version 3.11',
      'OSError: [Errno 111] Connection refused; gaierror: [Errno -2] Name',
    ].join('\n');
    assert.equal(
      normaliseText(text, { ports }),
      [
        "listening on 127.0.0.1:<port:main>, ('127.0.0.1', <port:main>)",
        "from ('127.0.0.1', <port>) and 127.0.0.1:<port> and localhost:<port> and [::1]:<port>",
        "unbound ('0.0.0.0', 0), ('::1', <port>, 0, 0)",
        'sent 4194304 bytes, 12345 items, sha256 ab23456cd, version 3.11',
        'OSError: [Errno] Connection refused; gaierror: [Errno] Name',
      ].join('\n'),
    );
    const traceback = [
      'Traceback (most recent call last):',
      '  File "/tmp/sockgate-py-AbC/main.py", line 3, in <module>',
      '    s.connect((HOST, PORT))',
      '    ~~~~~~~~~^^^^^^^^^^^^^^^^^^',
      'ConnectionRefusedError: [Errno 111] Connection refused',
      '',
    ].join('\n');
    assert.equal(
      normaliseText(traceback, { stream: 'stderr' }),
      [
        'Traceback (most recent call last):',
        '  File "main.py", line 3, in <module>',
        '    s.connect((HOST, PORT))',
        'ConnectionRefusedError: [Errno] Connection refused',
        '',
      ].join('\n'),
    );
    // Markers are only dropped from stderr.
    assert.equal(normaliseText('  ^^^\n', { stream: 'stdout' }), '  ^^^\n');
  });

  test('a program that behaves differently is caught', async () => {
    const original = cases.find((c) => c.name === 'tcp_client') ?? (await loadCases({ only: 'tcp_client' }))[0];
    const changed = { ...original, code: original.code.replace('"Hello, server!\\n"', '"Hello, server?\\n"') };
    assert.notEqual(changed.code, original.code);
    const a = await runCase(original, cpython);
    const b = await runCase(changed, cpython);
    assertRunOk(a);
    assertRunOk(b);
    const problems = compareRuns(a, b);
    assert.equal(problems.length, 2, problems.join('\n'));
    assert.match(problems[0], /^stdout differs, first difference at line 3:/);
    assert.match(problems[1], /^observed differs:/);
  });
});

for (const testCase of cases) {
  describe(testCase.name, () => {
    let reference = null;

    test('cpython, twice', async () => {
      const first = await runCase(testCase, cpython);
      assertRunOk(first);
      assertExpectedDifference(testCase, first);
      const second = await runCase(testCase, cpython);
      assertRunOk(second);
      assertSameBehaviour(first, second);
      reference = first;
    });

    test('pyodide vs cpython', async (t) => {
      if (!havePyodide) {
        t.skip(SKIP_PYODIDE);
        return;
      }
      if (!reference) {
        reference = await runCase(testCase, cpython);
        assertRunOk(reference);
      }
      const run = await runCase(testCase, pyodide);
      assertRunOk(run);
      assertExpectedDifference(testCase, run);
      assertSameBehaviour(reference, run, { skip: differingFields(testCase) });
    });
  });
}
