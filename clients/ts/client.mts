// A small Node program using the typed client that `make sdk-ts` builds: openapi-typescript
// generates `schema.d.ts` from openapi.yaml, openapi-fetch turns it into a typed fetch client, and
// tsc compiles this file (strict) next to it. Usage: node client.mjs BASE_URL
// It walks the API as a user would, checks what it sees, and prints a JSON summary on stdout
// (tests/test_clients.py asserts on it). Any failed check exits non-zero.
import { createHash } from "node:crypto";
import { gunzipSync } from "node:zlib";

import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";

type Fact = components["schemas"]["Fact"];
type Problem = components["schemas"]["Problem"];

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`check failed: ${message}`);
}

async function main(baseUrl: string): Promise<void> {
  // JSON and problem+json are the media types this client reads (lists also answer CSV, NDJSON)
  const api = createClient<paths, "application/json" | "application/problem+json">({ baseUrl });
  const operations: string[] = [];

  // the index: how many facts there are
  operations.push("getIndex");
  const index = await api.GET("/v1");
  check(index.response.status === 200 && index.data !== undefined, `GET /v1 answered ${index.response.status}`);
  const factsInIndex = index.data.counts["facts"];
  check(typeof factsInIndex === "number", "the index has no facts count");

  // every fact, page by page through next_cursor
  operations.push("listFacts");
  const facts: Fact[] = [];
  const cursors: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  for (;;) {
    const page = await api.GET("/v1/facts", { params: { query: { limit: 10, ...(cursor ? { cursor } : {}) } } });
    check(page.response.status === 200 && page.data !== undefined, `GET /v1/facts answered ${page.response.status}`);
    pages += 1;
    facts.push(...page.data.data);
    if (page.data.next_cursor === null) break;
    check(!cursors.includes(page.data.next_cursor), "a cursor came twice");
    cursors.push(page.data.next_cursor);
    cursor = page.data.next_cursor;
  }
  const ids = facts.map((fact) => fact.id);
  const uniqueIds = new Set(ids).size;
  check(uniqueIds === ids.length, "a fact id repeats across pages");
  check(ids.length === factsInIndex, `listed ${ids.length} facts, the index counts ${factsInIndex}`);

  // one item, the same as in the list
  operations.push("getFact");
  const first = facts[0];
  check(first !== undefined, "no facts listed");
  const item = await api.GET("/v1/facts/{fact_id}", { params: { path: { fact_id: first.id } } });
  check(item.response.status === 200 && item.data !== undefined, `GET /v1/facts/${first.id} answered ${item.response.status}`);
  const itemMatches = JSON.stringify(item.data) === JSON.stringify(first);
  check(itemMatches, "the item differs from its row in the list");

  // a 404: the error is a problem document (RFC 9457)
  operations.push("getFact");
  const missing = await api.GET("/v1/facts/{fact_id}", { params: { path: { fact_id: "no-such-fact" } } });
  const problem: Problem | undefined = missing.error;
  check(missing.data === undefined && problem !== undefined, "a missing fact came back without an error");
  const problemType = missing.response.headers.get("content-type") ?? "";
  check(problemType.startsWith("application/problem+json"), `problem content type ${problemType}`);
  check(problem.status === 404 && typeof problem.title === "string" && problem.title.length > 0, "problem fields");

  // CSV of every event, streamed without pagination
  operations.push("listEvents");
  const csv = await api.GET("/v1/events", { params: { query: { format: "csv" } }, parseAs: "text" });
  check(csv.response.status === 200 && typeof csv.data === "string", `GET /v1/events?format=csv answered ${csv.response.status}`);
  const csvType = csv.response.headers.get("content-type") ?? "";
  const [header = "", ...rows] = csv.data.replace(/\r?\n$/, "").split(/\r?\n/);

  // according to whom: every citation carries its source's metadata and its attribution chain
  const citations = facts.flatMap((fact) => fact.citations);
  check(citations.every((c) => c.publisher.length > 0 && c.published.length > 0 && Array.isArray(c.attribution)),
        "a citation lacks its publisher, date or attribution chain");
  const attributed = facts.filter((fact) => fact.citations.some((c) => c.attribution.length > 0)).map((f) => f.id);

  // analyst queries: names inline and facet counts in one call
  operations.push("listFacts");
  const faceted = await api.GET("/v1/facts", { params: { query: { limit: 1, expand: "entities", facet: ["type"] } } });
  check(faceted.response.status === 200 && faceted.data !== undefined, `faceted list answered ${faceted.response.status}`);
  const typeFacet = faceted.data.facets?.["type"];
  check(typeFacet !== undefined && !typeFacet.truncated, "no type facet");
  const facetTotal = typeFacet.values.reduce((sum, value) => sum + value.count, 0);
  const named = (faceted.data.data[0]?.entities ?? []).every((e) => typeof e.name === "string" && e.name.length > 0);

  // a date window: what the sources place in it for certain, and what they only allow (1.6.0)
  operations.push("listFacts");
  const certainWindow = await api.GET("/v1/facts", { params: { query: { to: "2000", limit: 100 } } });
  check(certainWindow.response.status === 200 && certainWindow.data !== undefined, "window list failed");
  operations.push("listFacts");
  const possibleWindow = await api.GET("/v1/facts", {
    params: { query: { to: "2000", time_match: "possible", limit: 100 } },
  });
  check(possibleWindow.response.status === 200 && possibleWindow.data !== undefined, "possible window list failed");
  const marks = possibleWindow.data.data.map((f) => f.time_match ?? "unmarked");
  // relayed claims and predictions: every citation attributes them to someone else (1.7.0)
  operations.push("listFacts");
  const relayedList = await api.GET("/v1/facts", { params: { query: { voice: "attributed", limit: 100 } } });
  check(relayedList.response.status === 200 && relayedList.data !== undefined, "voice list failed");
  const relayedFacts = relayedList.data.data;
  // everything on an entity's authority: its timeline, role=attributed (1.8.0)
  const authority = relayedFacts[0]?.citations[0]?.attribution.find((link) => link.entity)?.entity ?? "kremlin";
  operations.push("listEntityFacts");
  const onAuthority = await api.GET("/v1/entities/{entity_id}/facts", {
    params: { path: { entity_id: authority }, query: { role: ["attributed"], limit: 100 } },
  });
  check(onAuthority.response.status === 200 && onAuthority.data !== undefined, "timeline by role failed");

  // who is connected to whom, what disagrees, which releases, and the OpenRefine manifest
  operations.push("listRelatedEntities");
  const related = await api.GET("/v1/entities/{entity_id}/related", { params: { path: { entity_id: "bashar-al-assad" } } });
  check(related.response.status === 200 && related.data !== undefined, `related answered ${related.response.status}`);
  operations.push("listConflicts");
  const conflicts = await api.GET("/v1/conflicts", {});
  check(conflicts.response.status === 200 && conflicts.data !== undefined, `conflicts answered ${conflicts.response.status}`);
  operations.push("listReleases");
  const releases = await api.GET("/v1/releases", {});
  check(releases.response.status === 200 && releases.data !== undefined, `releases answered ${releases.response.status}`);
  // what changed since the oldest release, page by page; an unknown release; one fact's history
  operations.push("listChanges");
  const oldest = releases.data.data[releases.data.data.length - 1];
  check(oldest !== undefined, "no release");
  const changed: { release: string; kind: string; id: string; op: string; fields: string[] }[] = [];
  let changeCursor: string | undefined;
  for (;;) {
    const query = { since: oldest.id, limit: 100, ...(changeCursor ? { cursor: changeCursor } : {}) };
    const page = await api.GET("/v1/changes", { params: { query } });
    check(page.response.status === 200 && page.data !== undefined, `changes answered ${page.response.status}`);
    changed.push(...page.data.data.map((c) => ({ release: c.release, kind: c.kind, id: c.id, op: c.op, fields: c.fields })));
    if (page.data.next_cursor === null) break;
    changeCursor = page.data.next_cursor;
  }
  operations.push("listChanges");
  const unknownSince = await api.GET("/v1/changes", { params: { query: { since: "00000000-0000000000" } } });
  check(unknownSince.data === undefined, "an unknown release answered a list");
  operations.push("getFactHistory");
  const history = await api.GET("/v1/facts/{fact_id}/history", { params: { path: { fact_id: first.id } } });
  check(history.response.status === 200 && history.data !== undefined, `history answered ${history.response.status}`);
  // one version identity (1.7.0): the X-Dataset-Version a client stored is a `since=`, the same as the
  // release /v1 names; the reconciliation manifest and the downloads name this server's address
  operations.push("listChanges");
  const seenVersion = index.response.headers.get("x-dataset-version") ?? "";
  const sinceSeen = await api.GET("/v1/changes", { params: { query: { since: seenVersion, limit: 100 } } });
  check(sinceSeen.response.status === 200 && sinceSeen.data !== undefined, `since=X-Dataset-Version answered ${sinceSeen.response.status}`);
  const servedRelease = index.data.release;
  check(servedRelease !== null && servedRelease !== undefined, "/v1 names no release");
  operations.push("getReconciliationManifest");
  const manifest = await api.GET("/v1/reconcile", {});
  check(manifest.response.status === 200 && manifest.data !== undefined, `reconcile answered ${manifest.response.status}`);
  // a batch by GET (1.11.0), as OpenRefine sends it
  operations.push("reconcileByGet");
  const batch = await api.GET("/v1/reconcile/batch", {
    params: { query: { queries: JSON.stringify({ q0: { query: "Recep Erdogan", type: "person" } }) } },
  });
  check(batch.response.status === 200 && batch.data !== undefined, `reconcile batch answered ${batch.response.status}`);
  const reconciled = batch.data.q0?.result[0];
  check(reconciled !== undefined, "the batch answered no candidate for q0");
  // the suggest service (1.11.0): what OpenRefine asks as a name is typed
  operations.push("suggestEntities");
  const suggested = await api.GET("/v1/reconcile/suggest/entity", { params: { query: { prefix: "Recep Tay" } } });
  check(suggested.response.status === 200 && suggested.data?.result[0]?.id === reconciled?.id,
        `suggest answered ${suggested.response.status}`);

  // the downloads: the facts dump, read as bytes, has the SHA-256 the list gives, one fact a line
  operations.push("listDownloads");
  const downloads = await api.GET("/v1/downloads", {});
  check(downloads.response.status === 200 && downloads.data !== undefined, `downloads answered ${downloads.response.status}`);
  const listed = downloads.data.data.find((file) => file.name === "facts.ndjson.gz");
  check(listed !== undefined, "no facts.ndjson.gz in /v1/downloads");
  operations.push("getDownload");
  const dump = await api.GET("/v1/downloads/{name}", { params: { path: { name: "facts.ndjson.gz" } }, parseAs: "arrayBuffer" });
  check(dump.response.status === 200 && dump.data !== undefined, `the dump answered ${dump.response.status}`);
  const dumpBytes = Buffer.from(dump.data);
  const dumpLines = gunzipSync(dumpBytes).toString("utf-8").split("\n").filter((line) => line.length > 0);

  // counts of anything, and the facts a later fact corrects (1.10.0)
  operations.push("listCounts");
  const countList = await api.GET("/v1/counts", { params: { query: { limit: 100 } } });
  check(countList.response.status === 200 && countList.data !== undefined, `counts answered ${countList.response.status}`);
  operations.push("listFacts");
  const correctedList = await api.GET("/v1/facts", { params: { query: { corrected: "true", limit: 100 } } });
  check(correctedList.response.status === 200 && correctedList.data !== undefined, "corrected list failed");

  const summary = {
    base_url: baseUrl,
    operations,
    index: { facts: factsInIndex, dataset_version: index.data.dataset_version },
    list: { operation: "listFacts", pages, facts: ids.length, unique_ids: uniqueIds },
    item: { operation: "getFact", id: item.data.id, type: item.data.type, matches_list: itemMatches },
    problem: {
      operation: "getFact",
      http_status: missing.response.status,
      content_type: problemType,
      status: problem.status,
      title: problem.title,
      type: problem.type,
    },
    provenance: { citations: citations.length, attributed_facts: attributed.sort() },
    analyst: {
      facet_type_total: facetTotal,
      names_inline: named,
      related: related.data.data.map((e) => e.id),
      conflicts: conflicts.data.data.length,
      releases: releases.data.data.length,
      reconcile_versions: manifest.data.versions,
      reconciled: { id: reconciled?.id, match: reconciled?.match },
    },
    window: {
      certain: certainWindow.data.data.map((f) => f.id),
      possible_matches: certainWindow.data.possible_matches,
      possible: possibleWindow.data.data.map((f) => f.id),
      marks,
      possible_left_out: possibleWindow.data.possible_matches,
    },
    relayed: {
      on_authority_roles: [...new Set(onAuthority.data.data.flatMap((f) => f.roles ?? []))].sort(),
      statuses: [...new Set(relayedFacts.map((f) => f.status))].sort(),
      citation_voices: [...new Set(relayedFacts.flatMap((f) => f.citations.map((c) => c.voice)))].sort(),
    },
    changes: { since: oldest.id, items: changed, unknown_since_status: unknownSince.response.status },
    version_identity: {
      seen: seenVersion,
      release: servedRelease.id,
      previous: servedRelease.previous,
      since_seen: sinceSeen.data.data.length,
      history_link: first.links["history"] ?? null,
      history_link_works: history.response.url.endsWith(first.links["history"] ?? "missing"),
    },
    public_address: {
      view: manifest.data.view["url"] ?? null,
      preview: manifest.data.preview.url,
      identifier_space: manifest.data.identifierSpace,
      downloads: downloads.data.data.map((file) => file.href),
    },
    history: {
      id: history.data.id,
      current: history.data.current,
      versions: history.data.versions.map((v) => ({ release: v.release, op: v.op, id: v.id, has_content: v.content !== null })),
    },
    downloads: {
      files: downloads.data.data.map((file) => file.name),
      dump_sha256_matches: createHash("sha256").update(dumpBytes).digest("hex") === listed.sha256,
      dump_size_matches: dumpBytes.length === listed.size,
      dump_ids: dumpLines.map((line) => (JSON.parse(line) as Fact).id),
    },
    counts: {
      ids: countList.data.data.map((c) => c.id),
      values: countList.data.data.map((c) => [c.counted, c.value, c.count_qualifier]),
      corrected: correctedList.data.data.map((f) => [f.id, f.corrected_by]),
    },
    csv: {
      operation: "listEvents",
      http_status: csv.response.status,
      content_type: csvType,
      header: header.split(","),
      lines: rows.length,
    },
  };
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
}

const baseUrl = process.argv[2];
if (!baseUrl) {
  process.stderr.write("usage: node client.mjs BASE_URL\n");
  process.exit(2);
}
main(baseUrl.replace(/\/$/, "")).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
