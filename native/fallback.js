// Run by `npm install` when `node-gyp rebuild` fails (no compiler, no Node headers, an unsupported platform):
// says so in one line and exits 0, so the install succeeds and Backprop uses its WebAssembly backend.
console.warn(
  'backprop: the native addon was not built (see the node-gyp output above); Backprop will use its WebAssembly (wasm) backend. ' +
    'Install a C++ toolchain and run `npm rebuild backprop` to build it.',
);
process.exit(0);
