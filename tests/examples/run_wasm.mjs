// Runs one wasm socket program (an Emscripten ES module factory built with
// sockgate_posix) under Node, the way the playground page runs it: import
// the .mjs, call the factory with {sockgateUrl, arguments, print, printErr,
// onExit} and let main() run.
//
// Usage: node run_wasm.mjs [--program NAME] MODULE.mjs GATEWAY_WS_URL [ARG...]
//
// --program NAME: the program to run in a module that holds several (the
// examples' programs.mjs), passed as argv[0] (Module.thisProgram) as the page
// does.
//
// The program's output goes to this process's stdout and stderr, and its
// exit status becomes this process's. A line "stop" on stdin calls
// Module.sockgateStop(), as a page's Stop button would. SOCKGATE_TOKEN, if
// set, becomes Module.sockgateToken (for a gateway started with --token).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import WebSocketImpl from 'ws';

const args = process.argv.slice(2);
const thisProgram = args[0] === '--program' ? args.splice(0, 2)[1] : undefined;
const [programArg, sockgateUrl, ...programArgs] = args;
if (!programArg || !sockgateUrl) {
  process.stderr.write('usage: node run_wasm.mjs [--program NAME] MODULE.mjs GATEWAY_WS_URL [ARG...]\n');
  process.exit(2);
}
const programPath = path.resolve(programArg);

// Node 20 has no WebSocket; the browser's never compresses, so neither does
// this one (ws would otherwise offer permessage-deflate).
class NodeWebSocket extends WebSocketImpl {
  constructor(url, protocols) {
    super(url, protocols, { perMessageDeflate: false });
  }
}
globalThis.WebSocket = NodeWebSocket;
// Emscripten 3.1.6's ES module output still uses require() and __dirname
// when it runs under Node.
globalThis.require = createRequire(import.meta.url);
globalThis.__dirname = path.dirname(programPath);

const { default: createExample } = await import(pathToFileURL(programPath).href);

let exited = false;
const module = await createExample({
  ...(thisProgram ? { thisProgram } : {}),
  sockgateUrl,
  sockgateToken: process.env.SOCKGATE_TOKEN,
  arguments: programArgs,
  // Node cannot fetch a file: URL; hand the module its bytes.
  wasmBinary: fs.readFileSync(programPath.replace(/\.mjs$/, '.wasm')),
  print: (text) => process.stdout.write(text + '\n'),
  printErr: (text) => process.stderr.write(text + '\n'),
  onExit: (code) => {
    exited = true;
    process.exitCode = code;
    process.stdin.destroy();
    // The WebSocket's closing handshake normally lets Node end by itself.
    setTimeout(() => process.exit(code), 3000).unref();
  },
  // Emscripten's Node default calls process.exit() at once, which could cut
  // off the last WebSocket messages; just unwind and let Node end normally.
  quit: (status, toThrow) => {
    throw toThrow;
  },
});

if (!exited) {
  process.stdin.setEncoding('utf8');
  let pending = '';
  process.stdin.on('data', (chunk) => {
    pending += chunk;
    let newline;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const command = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      if (command === 'stop') module.sockgateStop();
    }
  });
}
