// Breaking-change check of the /v1 API: compares a frozen baseline spec with a newer one using
// api-smart-diff (pinned in package.json; plain JavaScript, no install scripts, reads OpenAPI
// 3.1 with JSON Schema 2020-12). Usage: node tools/api-compat.mjs BASELINE.yaml CURRENT.yaml
// Prints a JSON report on stdout and the findings on stderr; exits 1 when any change under a /v1
// path is breaking or unclassified, 2 when it cannot compare, 0 otherwise.
//
// Only diffs under `paths./v1...` count: api-smart-diff resolves every $ref into the operations
// that use it and classifies it there with request or response semantics, while its diffs of
// `components` itself use request semantics only (a removed response field shows there as
// non-breaking), so those are reported but never decide.
//
// One correction of the tool's verdicts: api-smart-diff 1.0.6 classifies a changed `type` of a
// response schema by flipping its request verdict, so a response field turning from integer to
// string comes out "non-breaking". For responses the rule here is the plain one: the change is
// breaking unless every type the new spec allows was allowed before (clients of the baseline
// must be able to read everything the server may now send).
//
// A second correction, for requests: api-smart-diff 1.0.6 diffs an `enum` item by item, so an
// `enum` added to a request parameter that had none (it took any string, now only the listed
// ones: narrower) shows as "non-breaking" additions of values. Rule here: a value added to a
// request parameter's `enum` is non-breaking only when the baseline already had that `enum`
// (a new choice widens what clients may send); an `enum` the baseline did not have is breaking.
// api-smart-diff reports a parameter declared on the path item (`paths./x/{name}.parameters`)
// under each operation (`paths./x/{name}.get.parameters.0`): the baseline's `enum` is looked up
// in the operation, else in the path item's parameter of the same `name` and `in`.
// Response schemas are the other way round and need no correction: a closed `enum` turned into
// a documented open string (1.1.0's open vocabularies) lets old clients keep reading everything
// the same data yields, and clients generated since accept more; the tool calls it non-breaking.
//
// A third: api-smart-diff 1.0.6 leaves a change inside an `example` object (a key added to the
// example of a free-form map, such as `/v1`'s `links`) unclassified. An example is documentation:
// such a change is an annotation.
import { apiCompare } from "api-smart-diff";
import yaml from "js-yaml";
import { readFileSync } from "node:fs";

const [baselinePath, currentPath] = process.argv.slice(2);
if (!baselinePath || !currentPath) {
  process.stderr.write("usage: node tools/api-compat.mjs BASELINE.yaml CURRENT.yaml\n");
  process.exit(2);
}

function load(path) {
  const spec = yaml.load(readFileSync(path, "utf8"));
  if (!spec || typeof spec.openapi !== "string" || !spec.openapi.startsWith("3.")) {
    throw new Error(`${path}: not an OpenAPI 3 document`);
  }
  return spec;
}

const underV1 = (path) => path[0] === "paths" && (path[1] === "/v1" || String(path[1]).startsWith("/v1/"));
const types = (schemaType) => (Array.isArray(schemaType) ? schemaType : schemaType === undefined ? [] : [schemaType]);

const at = (doc, path) => path.reduce((node, key) => (node === undefined || node === null ? undefined : node[key]), doc);

// The baseline's `enum` of the operation parameter at `path` (paths, url, method, "parameters",
// index, …, "enum") when the baseline declared that parameter on the path item instead.
function pathLevelEnum(baseline, path, enumAt) {
  if (path[3] !== "parameters") return false;
  const item = at(baseline, ["paths", path[1]]);
  const own = at(baseline, path.slice(0, 5)) ?? at(item, ["parameters", path[4]]);
  if (!item || !Array.isArray(item.parameters) || !own) return false;
  const declared = item.parameters.find((p) => p && p.name === own.name && p.in === own.in);
  return declared !== undefined && at(declared, path.slice(5, enumAt + 1)) !== undefined;
}

function verdict(diff, baseline) {
  const { path } = diff;
  const inExample = path.some((key, i) => (key === "example" || key === "examples") && path[i - 1] !== "properties");
  if (inExample && diff.type === "unclassified") {
    return { type: "annotation", corrected: diff.type };
  }
  const inResponse = path[0] === "paths" && path[3] === "responses";
  if (inResponse && diff.action === "replace" && path[path.length - 1] === "type") {
    const before = new Set(types(diff.before));
    const widened = types(diff.after).some((type) => !before.has(type));
    return { type: widened ? "breaking" : "non-breaking", corrected: diff.type };
  }
  const inParameters = path[0] === "paths" && (path[2] === "parameters" || path[3] === "parameters");
  const enumAt = path.lastIndexOf("enum");
  if (inParameters && diff.action === "add" && enumAt !== -1 && enumAt >= path.length - 2) {
    const hadEnum = at(baseline, path.slice(0, enumAt + 1)) !== undefined || pathLevelEnum(baseline, path, enumAt);
    return hadEnum ? { type: diff.type } : { type: "breaking", corrected: diff.type };
  }
  return { type: diff.type };
}

let diffs;
let baselineSpec;
try {
  baselineSpec = load(baselinePath); // a copy of its own: apiCompare may change what it is given
  ({ diffs } = apiCompare(load(baselinePath), load(currentPath)));
} catch (error) {
  process.stderr.write(`api-compat: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}

const findings = diffs.map((diff) => {
  const { type, corrected } = verdict(diff, baselineSpec);
  return {
    type,
    ...(corrected && corrected !== type ? { tool_type: corrected } : {}),
    action: diff.action,
    path: diff.path,
    description: diff.description || "",
  };
});
const counted = findings.filter((finding) => underV1(finding.path));
const byType = (type) => counted.filter((finding) => finding.type === type);
const breaking = byType("breaking");
const unclassified = byType("unclassified");
const report = {
  baseline: baselinePath,
  current: currentPath,
  ok: breaking.length === 0 && unclassified.length === 0,
  breaking,
  unclassified,
  counts: Object.fromEntries(
    ["breaking", "unclassified", "non-breaking", "deprecated", "annotation"].map((type) => [type, byType(type).length]),
  ),
  outside_v1: findings.length - counted.length,
};
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
for (const finding of [...breaking, ...unclassified]) {
  process.stderr.write(`${finding.type}: ${finding.description || finding.action} at ${finding.path.join(" > ")}\n`);
}
process.stderr.write(
  `api-compat: ${baselinePath} -> ${currentPath}: ${breaking.length} breaking, ${unclassified.length} unclassified, ` +
    `${report.counts["non-breaking"]} non-breaking change(s) under /v1\n`,
);
process.exit(report.ok ? 0 : 1);
