// Validate an AsyncAPI document with the official parser; print diagnostics as JSON lines.
// Exit 0 when there are no errors, 1 otherwise.
import { readFile } from "node:fs/promises";
import { Parser, DiagnosticSeverity } from "@asyncapi/parser";

const path = process.argv[2];
const parser = new Parser();
const { document, diagnostics } = await parser.parse(await readFile(path, "utf8"));
for (const d of diagnostics) {
  console.log(JSON.stringify({ severity: d.severity, code: d.code, message: d.message, path: d.path }));
}
const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error);
if (!document || errors.length > 0) {
  console.error(`asyncapi: ${errors.length} error(s)`);
  process.exit(1);
}
console.error(`asyncapi: valid (${diagnostics.length} non-error diagnostic(s))`);
