// Linked with --pre-js into sockgate_client.mjs, inside the module factory.
//
// Emscripten 3.1.6 emits its CommonJS-era Node code even for an ES module
// (-sEXPORT_ES6): when the factory runs under Node it reads __dirname, which
// ES modules do not have, and throws a ReferenceError before anything else.
// This defines __dirname from the module's own URL. Browsers and workers
// never take that code path; there the variable is unused.
//
// Under Node the caller must still pass the .wasm bytes as `wasmBinary`
// (web/src/sockgate.js does): Emscripten's Node file loading would need
// require(), which ES modules lack as well.
var __dirname =
  typeof _scriptDir == 'string' && _scriptDir.startsWith('file:')
    ? decodeURIComponent(new URL('.', _scriptDir).pathname)
    : '.';
