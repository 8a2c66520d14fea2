/*
 * Lets a child process run the project's TypeScript directly (`node -r ./ts-register.js x.ts`):
 * jest's transform only applies inside jest, and the native engine tests run the engine in a
 * child process, since a process must never serve a mount it also calls into.
 */
const fs = require('fs');
const ts = require('typescript');

require.extensions['.ts'] = function compileTs(module, filename) {
  const out = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      inlineSourceMap: true,
    },
  });
  module._compile(out.outputText, filename);
};
