#!/usr/bin/env node
// Bundles the playground page into a directory the gateway can serve:
//
//   node web/build.mjs --out build/web [--sourcemap] [--no-minify]
//
// writes index.html, app.js, python-worker.js and app.css (plus .map files
// with --sourcemap).
// The wasm client (wasm/) and the examples (examples/) are copied into the
// same directory separately; the page loads them at run time, so this build
// neither needs nor checks them.

import { build } from 'esbuild';
import { mkdir, readFile, writeFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * Builds the page into outDir. Options: minify (default true), sourcemap
 * (default false), sockgateModule: another file to use for src/sockgate.js
 * (for development against a stand-in), quiet.
 */
export async function buildWeb({ outDir, minify = true, sourcemap = false, sockgateModule = null, quiet = false } = {}) {
  if (!outDir) throw new Error('buildWeb: outDir is required');
  const out = path.resolve(outDir);
  await mkdir(out, { recursive: true });

  const plugins = [];
  if (sockgateModule) {
    const replacement = path.resolve(sockgateModule);
    plugins.push({
      name: 'sockgate-module',
      setup(b) {
        b.onResolve({ filter: /^\.\/sockgate\.js$/ }, (args) =>
          (args.importer.startsWith(path.join(here, 'src')) ? { path: replacement } : undefined));
      },
    });
  }

  const common = {
    bundle: true,
    minify,
    sourcemap: sourcemap ? 'linked' : false,
    logLevel: quiet ? 'silent' : 'warning',
    legalComments: 'none',
    absWorkingDir: path.resolve(here, '..'),
    nodePaths: [path.resolve(here, '..', 'node_modules')],
  };
  await build({
    ...common,
    entryPoints: [path.join(here, 'src', 'main.js')],
    outfile: path.join(out, 'app.js'),
    format: 'esm',
    platform: 'browser',
    target: ['chrome109', 'firefox115', 'safari16'],
    plugins,
  });
  // The Python worker is a bundle of its own: the page starts it with
  // new Worker('python-worker.js', {type: 'module'}).
  await build({
    ...common,
    entryPoints: [path.join(here, 'src', 'python', 'worker.js')],
    outfile: path.join(out, 'python-worker.js'),
    format: 'esm',
    platform: 'browser',
    target: ['chrome109', 'firefox115', 'safari16'],
  });
  await build({
    ...common,
    entryPoints: [path.join(here, 'src', 'app.css')],
    outfile: path.join(out, 'app.css'),
    target: ['chrome109', 'firefox115', 'safari16'],
  });
  const html = await readFile(path.join(here, 'index.html'), 'utf8');
  await writeFile(path.join(out, 'index.html'), html);

  const problems = await externalReferences(out);
  if (problems.length) {
    throw new Error(`the page would load something from outside the gateway:\n  ${problems.join('\n  ')}`);
  }
  return { outDir: out, files: ['index.html', 'app.js', 'python-worker.js', 'app.css'] };
}

/**
 * Finds references that would make a browser fetch from another origin:
 * src/href attributes, CSS url() and @import with an absolute URL. (XML
 * namespace strings such as http://www.w3.org/2000/svg are not fetches.)
 */
export async function externalReferences(dir) {
  const found = new Set();
  for (const name of await readdir(dir)) {
    if (!/^(index\.html|app\.js|python-worker\.js|app\.css)$/.test(name)) continue;
    const text = await readFile(path.join(dir, name), 'utf8');
    const patterns = [
      /\b(?:src|href)\s*=\s*["']?((?:https?:)?\/\/[^"'\s>]+)/gi,
      /url\(\s*["']?((?:https?:)?\/\/[^"')\s]+)/gi,
      /@import\s+(?:url\()?\s*["']((?:https?:)?\/\/[^"']+)/gi,
    ];
    for (const re of patterns) {
      for (const m of text.matchAll(re)) found.add(`${name}: ${m[1]}`);
    }
  }
  return [...found];
}

function parseArgs(argv) {
  const opts = { outDir: null, minify: true, sourcemap: false, sockgateModule: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (a.includes('=')) return a.slice(a.indexOf('=') + 1);
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--out' || a.startsWith('--out=')) opts.outDir = value();
    else if (a === '--sourcemap') opts.sourcemap = true;
    else if (a === '--no-minify') opts.minify = false;
    else if (a === '--sockgate-module' || a.startsWith('--sockgate-module=')) opts.sockgateModule = value();
    else if (a === '-h' || a === '--help') {
      console.log('usage: node web/build.mjs --out DIR [--sourcemap] [--no-minify] [--sockgate-module FILE]');
      process.exit(0);
    } else throw new Error(`unknown argument: ${a}`);
  }
  if (!opts.outDir) throw new Error('missing --out DIR');
  return opts;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const opts = parseArgs(process.argv.slice(2));
    const started = Date.now();
    const r = await buildWeb(opts);
    console.log(`built ${r.files.join(', ')} in ${r.outDir} (${Date.now() - started} ms)`);
  } catch (err) {
    console.error(`web/build.mjs: ${err.message}`);
    process.exit(1);
  }
}
