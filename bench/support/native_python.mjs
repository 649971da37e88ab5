// A Python program run by Debian's python3, for the benches that compare the
// playground's Python with it: the program's stdout, read as one JSON value.
import { spawn } from 'node:child_process';

export const NATIVE_PYTHON = '/usr/bin/python3';

export function runNativeJson(source, argv) {
  return new Promise((resolve, reject) => {
    const child = spawn(NATIVE_PYTHON, ['-c', source, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`python3 exited ${code}: ${err}`))));
  });
}
