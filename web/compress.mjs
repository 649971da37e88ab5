#!/usr/bin/env node
// Precompresses a web root for the gateway:
//
//   node web/compress.mjs DIR
//
// writes FILE.br and FILE.gz next to every file under DIR worth compressing.
// The gateway sends them, with Content-Encoding, to browsers that accept br
// or gzip (gateway/static_files.cpp); compressing once at build time lets it
// use the slowest, densest settings and costs the server nothing per request.
// Pyodide's files, 13.6 MB raw, go out as 5.9 MB with br (6.5 MB with gzip),
// 2.5 MB of which is its standard library zip, deflated already.
//
// Only node: built-ins, so it runs wherever the build runs.

import { constants as zc, brotliCompress, gzip } from 'node:zlib';
import { availableParallelism } from 'node:os';
import { readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const brotliAsync = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

// Types that compress: text, and binaries that are mostly code or tables.
// .zip is listed because a stored (uncompressed) zip shrinks well; a deflated
// one such as Pyodide's python_stdlib.zip fails the saving test below.
const COMPRESSIBLE = new Set([
  '.html', '.htm', '.js', '.mjs', '.cjs', '.css', '.json', '.map', '.svg', '.wasm', '.zip', '.data',
  '.txt', '.md', '.xml', '.csv', '.ts', '.py', '.c', '.h', '.cc', '.cpp', '.hpp',
]);
// Below this a response fits in a packet or two either way.
export const MIN_SIZE = 1024;
// A sibling must save at least this fraction, else it only costs disk and a stat.
export const MIN_SAVING = 0.05;
// Brotli's top quality is dense but slow: measured on this project's 2-core
// machines, quality 11 takes ~30 s for Pyodide's 9.6 MB wasm (2.74 MB) and
// quality 10 ~18 s (2.79 MB); quality 9 takes ~2.6 s (3.10 MB). Above this
// size quality 9 keeps a whole build to seconds; below it quality 11 costs
// under 2 s per file (pyodide.asm.mjs, 1.25 MB) and saves 8-10% over 9.
export const BIG_FILE = 2 * 1024 * 1024;
const BROTLI_QUALITY_SMALL = 11;
const BROTLI_QUALITY_BIG = 9;

const ENCODINGS = [
  { suffix: '.br', compress: (bytes) => brotliAsync(bytes, { params: brotliParams(bytes.length) }) },
  { suffix: '.gz', compress: (bytes) => gzipAsync(bytes, { level: 9 }) },
];

function brotliParams(size) {
  return {
    [zc.BROTLI_PARAM_QUALITY]: size > BIG_FILE ? BROTLI_QUALITY_BIG : BROTLI_QUALITY_SMALL,
    [zc.BROTLI_PARAM_SIZE_HINT]: size,
  };
}

/** True for a file this script would compress, judged by its name alone. */
export function worthTrying(name) {
  if (name.endsWith('.br') || name.endsWith('.gz')) return false;  // never compress our own output
  return COMPRESSIBLE.has(path.extname(name).toLowerCase());
}

// Regular files under dir, recursively. Symbolic links are left out: the
// gateway looks for siblings next to the file a link resolves to, so
// compressing through the link would put them where it never looks.
async function* walk(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(p);
    else if (entry.isFile()) yield p;
  }
}

async function mtimeOrNull(p) {
  try {
    return (await stat(p)).mtimeMs;
  } catch {
    return null;
  }
}

// Written under a temporary name and renamed into place, so a running
// gateway never serves half a file.
async function writeAtomically(p, bytes) {
  const tmp = `${p}.${process.pid}.tmp`;
  await writeFile(tmp, bytes);
  await rename(tmp, p);
}

/**
 * Makes or refreshes FILE.br and FILE.gz for one file. A sibling at least as
 * new as the file is kept; one that no longer saves enough is removed, so
 * the gateway cannot serve a stale version. Returns what each sibling holds.
 */
async function compressOne(file, info) {
  const result = { file, raw: info.size, written: 0, sizes: {} };
  let bytes = null;
  for (const { suffix, compress } of ENCODINGS) {
    const sibling = file + suffix;
    const siblingMtime = await mtimeOrNull(sibling);
    if (siblingMtime !== null && siblingMtime >= info.mtimeMs) {
      result.sizes[suffix] = (await stat(sibling)).size;
      continue;
    }
    bytes ??= await readFile(file);
    const packed = await compress(bytes);
    if (packed.length <= bytes.length * (1 - MIN_SAVING)) {
      await writeAtomically(sibling, packed);
      result.sizes[suffix] = packed.length;
      result.written++;
    } else if (siblingMtime !== null) {
      await rm(sibling, { force: true });
    }
  }
  return result;
}

/**
 * Compresses every file under dir worth it; returns totals over the files
 * that have a sibling: { files, raw, br, gz, written, seconds }.
 * concurrency: files in flight at once (zlib runs them on libuv's threads).
 */
export async function compressTree(dir, { concurrency = Math.min(availableParallelism(), 4) } = {}) {
  const started = process.hrtime.bigint();
  const jobs = [];
  for await (const file of walk(path.resolve(dir))) {
    if (!worthTrying(file)) continue;
    const info = await stat(file);
    if (info.size >= MIN_SIZE) jobs.push({ file, info });
  }
  // Largest first: the long pole (the wasm) starts at once, small files fill in.
  jobs.sort((a, b) => b.info.size - a.info.size);

  const results = [];
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const { file, info } = jobs[next++];
      results.push(await compressOne(file, info));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));

  const totals = { files: 0, raw: 0, br: 0, gz: 0, written: 0, seconds: 0 };
  for (const r of results) {
    if (!('.br' in r.sizes) && !('.gz' in r.sizes)) continue;
    totals.files++;
    totals.raw += r.raw;
    // A file without one of the two is sent raw in that encoding.
    totals.br += r.sizes['.br'] ?? r.raw;
    totals.gz += r.sizes['.gz'] ?? r.raw;
    totals.written += r.written;
  }
  totals.seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return totals;
}

export function summary(t, dir) {
  const mb = (n) => `${(n / 1e6).toFixed(2)} MB`;
  return `compressed ${t.files} files in ${dir}: ${mb(t.raw)} raw, ${mb(t.br)} br, ${mb(t.gz)} gz ` +
    `(${t.raw} / ${t.br} / ${t.gz} bytes; ${t.written} siblings written) in ${t.seconds.toFixed(1)} s`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args.length !== 1 || args[0].startsWith('-')) {
    console.error('usage: node web/compress.mjs DIR');
    process.exit(args.includes('-h') || args.includes('--help') ? 0 : 2);
  }
  try {
    console.log(summary(await compressTree(args[0]), args[0]));
  } catch (err) {
    console.error(`web/compress.mjs: ${err.message}`);
    process.exit(1);
  }
}
