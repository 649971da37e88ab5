// The page's build and its pure helpers, without a browser: web/build.mjs
// produces a self-contained bundle, web/compress.mjs precompresses the web
// root, and the console's command parser, the byte formatting and the
// reconnect schedule behave.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { repo } from './helpers.mjs';
import { buildWeb, externalReferences } from '../../web/build.mjs';
import { parseCommand, complete } from '../../web/src/commands.js';
import { escaped, hexdump, unescapeText, parseHex, parseDenial, endpoint, size } from '../../web/src/format.js';
import { Reconnector } from '../../web/src/reconnect.js';
import { addressWords, ruleWords, groupWords } from '../../web/src/policy_words.js';

describe('web/build.mjs', () => {
  it('bundles index.html, app.js, the Python worker and app.css without the wasm files', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'sockgate-web-'));
    try {
      const { stdout } = await promisify(execFile)(process.execPath, [path.join(repo, 'web', 'build.mjs'), '--out', out]);
      assert.match(stdout, /built/);
      const files = (await readdir(out)).sort();
      assert.deepEqual(files, ['app.css', 'app.js', 'index.html', 'python-worker.js']);
      const worker = await readFile(path.join(out, 'python-worker.js'), 'utf8');
      assert.match(worker, /_run_main/, 'the worker bundle carries the Python prelude');
      const html = await readFile(path.join(out, 'index.html'), 'utf8');
      assert.match(html, /<script type="module" src="app\.js"><\/script>/);
      assert.match(html, /<link rel="stylesheet" href="app\.css">/);
      const js = await readFile(path.join(out, 'app.js'), 'utf8');
      assert.ok(js.length > 10000 && !js.includes('\n  '), 'minified');
      assert.deepEqual(await externalReferences(out), []);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  it('refuses a bundle that would load something from outside', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'sockgate-web-'));
    try {
      await writeFile(path.join(out, 'index.html'), '<link href="https://fonts.example/x.css"><script src="//cdn.example/a.js"></script>');
      await writeFile(path.join(out, 'app.css'), '@import url("https://fonts.example/y.css"); .x{background:url(http://img.example/z.png)}');
      const found = await externalReferences(out);
      assert.equal(found.length, 4, found.join('\n'));
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  it('exports buildWeb for scripts', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'sockgate-web-'));
    try {
      const r = await buildWeb({ outDir: out, minify: false, sourcemap: true, quiet: true });
      assert.deepEqual(r.files, ['index.html', 'app.js', 'python-worker.js', 'app.css']);
      assert.ok((await readdir(out)).includes('app.js.map'));
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});

describe('web/compress.mjs', () => {
  const run = (dir) => promisify(execFile)(process.execPath, [path.join(repo, 'web', 'compress.mjs'), dir]);
  // Text that compresses well, different for each seed.
  const text = (seed, lines) =>
    Array.from({ length: lines }, (_, i) => `export function f${seed}_${i}(x) { return x * ${i}; }\n`).join('');

  // A web root: two files worth compressing (one nested), one too small,
  // one incompressible, one of a type left alone, and a .gz of its own.
  async function makeRoot() {
    const dir = await mkdtemp(path.join(tmpdir(), 'sockgate-compress-'));
    await mkdir(path.join(dir, 'pyodide', 'deep'), { recursive: true });
    const files = {
      'app.js': text('a', 400),
      'pyodide/deep/lock.json': JSON.stringify({ packages: Array.from({ length: 200 }, (_, i) => ({ name: `p${i}` })) }),
      'tiny.css': 'body{margin:0}',
      'noise.wasm': randomBytes(8192),
      'photo.png': text('p', 100),
      'download.tar.gz': text('g', 100),
    };
    for (const [name, bytes] of Object.entries(files)) await writeFile(path.join(dir, name), bytes);
    return { dir, files };
  }

  async function listing(dir) {
    return (await readdir(dir, { recursive: true })).map((p) => p.split(path.sep).join('/')).sort();
  }

  it('writes .br and .gz that decode to the originals, only where they pay', async () => {
    const { dir, files } = await makeRoot();
    try {
      const { stdout } = await run(dir);
      assert.match(stdout, /compressed 2 files .*4 siblings written/);
      for (const name of ['app.js', 'pyodide/deep/lock.json']) {
        const original = Buffer.from(files[name]);
        const br = await readFile(path.join(dir, `${name}.br`));
        const gz = await readFile(path.join(dir, `${name}.gz`));
        assert.deepEqual(brotliDecompressSync(br), original, `${name}.br`);
        assert.deepEqual(gunzipSync(gz), original, `${name}.gz`);
        assert.ok(br.length < original.length * 0.95 && gz.length < original.length * 0.95, name);
      }
      assert.deepEqual(await listing(dir), [
        'app.js', 'app.js.br', 'app.js.gz', 'download.tar.gz', 'noise.wasm', 'photo.png', 'pyodide', 'pyodide/deep',
        'pyodide/deep/lock.json', 'pyodide/deep/lock.json.br', 'pyodide/deep/lock.json.gz', 'tiny.css',
      ].sort(), 'nothing for tiny, incompressible or other files, no .gz.gz, no temporary files');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('leaves up-to-date siblings alone and redoes stale ones', async () => {
    const { dir } = await makeRoot();
    try {
      await run(dir);
      const br = path.join(dir, 'app.js.br');
      const before = (await stat(br)).mtimeMs;
      const { stdout } = await run(dir);
      assert.match(stdout, /compressed 2 files .*0 siblings written/);
      assert.equal((await stat(br)).mtimeMs, before);

      // app.js changes after the last run: both its siblings are redone.
      const changed = text('b', 300);
      await writeFile(path.join(dir, 'app.js'), changed);
      const later = new Date(before + 10_000);
      await utimes(path.join(dir, 'app.js'), later, later);
      assert.match((await run(dir)).stdout, /2 siblings written/);
      assert.equal(brotliDecompressSync(await readFile(br)).toString(), changed);
      assert.equal(gunzipSync(await readFile(path.join(dir, 'app.js.gz'))).toString(), changed);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('removes siblings that no longer pay, so the gateway cannot send stale bytes', async () => {
    const { dir } = await makeRoot();
    try {
      await run(dir);
      const app = path.join(dir, 'app.js');
      await writeFile(app, randomBytes(4096));
      const later = new Date(Date.now() + 10_000);
      await utimes(app, later, later);
      await run(dir);
      const names = await readdir(dir);
      assert.ok(!names.includes('app.js.br') && !names.includes('app.js.gz'), names.join(' '));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('needs exactly one directory', async () => {
    await assert.rejects(promisify(execFile)(process.execPath, [path.join(repo, 'web', 'compress.mjs')]),
      (err) => err.code === 2 && /usage/.test(err.stderr));
  });
});

describe('console commands', () => {
  it('parses the netcat-style commands', () => {
    assert.deepEqual(parseCommand('connect 127.0.0.1 9007'), { name: 'connect', host: '127.0.0.1', port: 9007 });
    assert.deepEqual(parseCommand('connect localhost:80'), { name: 'connect', host: 'localhost', port: 80 });
    assert.deepEqual(parseCommand('connect [::1]:8080'), { name: 'connect', host: '::1', port: 8080 });
    assert.deepEqual(parseCommand('listen 12345'), { name: 'listen', host: '127.0.0.1', port: 12345 });
    assert.deepEqual(parseCommand('listen ::1 0'), { name: 'listen', host: '::1', port: 0 });
    assert.deepEqual(parseCommand('bind'), { name: 'bind', host: '127.0.0.1', port: 0 });
    assert.deepEqual(parseCommand('bind 5000'), { name: 'bind', host: '127.0.0.1', port: 5000 });
    assert.deepEqual(parseCommand('bind ::1'), { name: 'bind', host: '::1', port: 0 });
    assert.deepEqual(parseCommand('send 1 hello  world '), { name: 'send', sock: 1, text: 'hello  world ' });
    assert.deepEqual(parseCommand('send #2'), { name: 'send', sock: 2, text: '' });
    assert.deepEqual(parseCommand('sendhex 3 de ad'), { name: 'sendhex', sock: 3, hex: 'de ad' });
    assert.deepEqual(parseCommand('sendto 4 127.0.0.1 9007 ping  me'), { name: 'sendto', sock: 4, host: '127.0.0.1', port: 9007, text: 'ping  me' });
    assert.deepEqual(parseCommand('sendto 4 127.0.0.1:9007 ping'), { name: 'sendto', sock: 4, host: '127.0.0.1', port: 9007, text: 'ping' });
    assert.deepEqual(parseCommand('close 5'), { name: 'close', sock: 5 });
    assert.deepEqual(parseCommand('SHUTDOWN 6'), { name: 'shutdown', sock: 6 });
    assert.deepEqual(parseCommand('resolve localhost'), { name: 'resolve', host: 'localhost' });
    assert.deepEqual(parseCommand('help send'), { name: 'help', topic: 'send' });
    assert.deepEqual(parseCommand('clear'), { name: 'clear' });
    assert.equal(parseCommand('   '), null);
  });

  it('explains bad input with the usage', () => {
    assert.throws(() => parseCommand('connect 127.0.0.1'), { message: /expected HOST and PORT/, usage: 'connect HOST PORT' });
    assert.throws(() => parseCommand('connect 127.0.0.1 0'), /PORT must be 1 … 65535/);
    assert.throws(() => parseCommand('connect h 70000'), /PORT must be/);
    assert.throws(() => parseCommand('send x hi'), /SOCK must be a socket id/);
    assert.throws(() => parseCommand('sendhex 1'), /missing HEX/);
    assert.throws(() => parseCommand('frob'), /unknown command "frob"/);
  });

  it('completes command names', () => {
    assert.deepEqual(complete('se'), ['send', 'sendhex', 'sendto']);
    assert.deepEqual(complete('co'), ['connect']);
  });
});

describe('byte formatting', () => {
  it('escapes control bytes and invalid UTF-8', () => {
    assert.equal(escaped(new TextEncoder().encode('hi\r\n\t\x00\x1b')), 'hi\\r\\n\\t\\0\\e');
    assert.equal(escaped(new Uint8Array([0x41, 0xff, 0x0a])), 'A\\xff\\n');
    assert.equal(escaped(new TextEncoder().encode('grüße\\')), 'grüße\\\\');
    assert.equal(escaped(new TextEncoder().encode('abcdef'), 3), 'abc…');
  });

  it('cuts text in any language at character boundaries, never into \\x escapes', () => {
    const zh = new TextEncoder().encode('你好，世界'); // 3 bytes a character
    // A limit inside the third character keeps two.
    assert.equal(escaped(zh, 8), '你好…');
    // A preview that ends inside a character (the start of a longer
    // payload) shows its whole characters and says there is more.
    assert.equal(escaped(zh.subarray(0, 7), 64, { more: true }), '你好…');
    assert.equal(escaped(zh.subarray(0, 6), 64, { more: true }), '你好…');
    // Data whose last character is cut shows the text, then the cut bytes.
    assert.equal(escaped(zh.subarray(0, 7)), '你好\\xef');
    // A four-byte character cut after any of its bytes.
    const emoji = new TextEncoder().encode('a😀');
    for (let n = 2; n < emoji.length; n++) assert.equal(escaped(emoji.subarray(0, n), 64, { more: true }), 'a…');
    // Bytes that are not UTF-8 are still escaped one by one.
    assert.equal(escaped(new Uint8Array([0xe4, 0x41, 0xe4])), '\\xe4A\\xe4');
  });

  it('parses escapes and hex', () => {
    assert.deepEqual([...unescapeText('a\\n\\r\\t\\x41\\\\\\q')], [97, 10, 13, 9, 65, 92, 92, 113]);
    assert.deepEqual([...parseHex('48 65 0x6c,6C')], [0x48, 0x65, 0x6c, 0x6c]);
    assert.throws(() => parseHex('4'), /odd/);
    assert.throws(() => parseHex('zz'), /not hex/);
  });

  it('dumps hex with offsets and ASCII', () => {
    assert.equal(hexdump(new TextEncoder().encode('hello\n')), '0000  68 65 6c 6c 6f 0a                                 hello·');
  });

  it('reads the advice out of a gateway denial', () => {
    const d = parseDenial('tcp to 127.0.0.2:22 is not allowed: no --allow rule covers it (rules: any:127.0.0.1/32:*, any:::1/128:*). Allow it with --allow tcp:127.0.0.2/32:22');
    assert.deepEqual(d, {
      what: 'tcp to 127.0.0.2:22',
      reason: 'no --allow rule covers it',
      rules: ['any:127.0.0.1/32:*', 'any:::1/128:*'],
      flag: '--allow',
      rule: 'tcp:127.0.0.2/32:22',
    });
    const b = parseDenial('listening or binding on 127.0.0.1:80 is not allowed: no --bind-allow rule covers it (rules: 127.0.0.0/8:1024-65535, ::1/128:1024-65535). Allow it with --bind-allow 127.0.0.1/32:80');
    assert.equal(b.flag, '--bind-allow');
    assert.equal(b.rule, '127.0.0.1/32:80');
    assert.equal(parseDenial('connection refused'), null);
  });

  it('formats endpoints and sizes', () => {
    assert.equal(endpoint({ addr: '127.0.0.1', port: 80 }), '127.0.0.1:80');
    assert.equal(endpoint({ addr: '::1', port: 80 }), '[::1]:80');
    assert.equal(endpoint(null), '—');
    assert.equal(size(20), '20 B');
    assert.equal(size(1536), '1.5 KiB');
  });
});

describe('reconnect schedule', () => {
  // A Reconnector whose tries give the outcomes listed, in order, and that
  // records when each try started.
  function scripted(outcomes, delays) {
    const starts = [];
    let done;
    const finished = new Promise((resolve) => { done = resolve; });
    const r = new Reconnector(async () => {
      starts.push(performance.now());
      const outcome = outcomes[starts.length - 1];
      if (starts.length === outcomes.length) setImmediate(done);
      return outcome;
    }, { delays, tickMs: 5 });
    return { r, starts, finished };
  }

  it('waits longer after each failed try, up to the last delay, and stops waiting once connected', async () => {
    const { r, starts, finished } = scripted(['retry', 'retry', 'retry', 'retry', 'connected'], [20, 40, 80]);
    const waits = [];
    r.addEventListener('wait', (e) => waits.push(e.detail.attempt));
    r.attempt();
    await finished;
    const gaps = starts.slice(1).map((t, i) => t - starts[i]);
    [20, 40, 80, 80].forEach((least, i) => assert.ok(gaps[i] >= least - 1, `wait ${i + 1}: ${gaps[i].toFixed(1)} ms, at least ${least}`));
    assert.ok(gaps[3] < 80 * 2, `the ceiling holds: ${gaps[3].toFixed(1)} ms`);
    assert.equal(r.waiting, false, 'connected: no try is pending');
    assert.equal(r.failures, 0);
    assert.deepEqual([...new Set(waits)], [2, 3, 4, 5], 'each wait says which try comes next');
  });

  it('stops when retrying cannot help, and a try by hand ends a wait at once', async () => {
    const { r, starts, finished } = scripted(['retry', 'stop'], [60_000]);
    r.attempt();
    // The first try failed: a minute's wait, skipped by hand.
    while (!r.waiting) await new Promise((resolve) => setImmediate(resolve));
    r.retryNow();
    await finished;
    assert.equal(starts.length, 2);
    assert.equal(r.waiting, false, 'no wait after a stop');
  });
});

describe('the policy in words', () => {
  it('names the address ranges a newcomer knows and keeps the others as they are', () => {
    assert.equal(addressWords('127.0.0.0/8'), 'this computer');
    assert.equal(addressWords('127.0.0.1/32'), 'this computer');
    assert.equal(addressWords('::1/128'), 'this computer');
    assert.equal(addressWords('0.0.0.0/0'), 'any IPv4 address');
    assert.equal(addressWords('::/0'), 'any IPv6 address');
    assert.equal(addressWords('192.168.1.0/24'), 'the local network');
    assert.equal(addressWords('172.16.0.0/12'), 'the local network');
    assert.equal(addressWords('172.32.0.0/16'), '172.32.0.0/16', 'just outside 172.16.0.0/12');
    assert.equal(addressWords('10.0.0.0/7'), '10.0.0.0/7', 'wider than the private range');
    assert.equal(addressWords('fd00::/8'), 'the local network');
    assert.equal(addressWords('::ffff:127.0.0.0/104'), 'this computer');
    assert.equal(addressWords('203.0.113.7/32'), '203.0.113.7');
    assert.equal(addressWords('203.0.113.0/24'), '203.0.113.0/24');
  });

  it('says ports and protocols in words and merges what says the same', () => {
    assert.deepEqual(ruleWords('tcp+udp 127.0.0.0/8, any port'), { words: 'this computer, any port', rule: 'tcp+udp 127.0.0.0/8, any port' });
    assert.equal(ruleWords('udp 10.0.0.0/8, port 53').words, 'the local network, port 53 (UDP only)');
    assert.equal(ruleWords('::1/128, ports 1024-65535').words, 'this computer, ports 1024–65535');
    assert.equal(ruleWords('something new').words, 'something new');
    assert.deepEqual(groupWords(['tcp+udp 127.0.0.0/8, any port', 'tcp+udp ::1/128, any port', 'tcp 0.0.0.0/0, port 80']), [
      { words: 'this computer, any port', rules: ['tcp+udp 127.0.0.0/8, any port', 'tcp+udp ::1/128, any port'] },
      { words: 'any IPv4 address, port 80 (TCP only)', rules: ['tcp 0.0.0.0/0, port 80'] },
    ]);
  });
});
