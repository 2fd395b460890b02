// A tiny typed client of the API, type-checked (`tsc --noEmit`, strict) against the types that
// openapi-typescript generates from openapi.yaml: `make sdk-ts` (tests/api/test_clients.py runs it).
// If the spec renames, removes or retypes anything used here, the build fails.
import type { components, operations, paths } from "./schema";

type Meeting = components["schemas"]["Meeting"];
type Fact = components["schemas"]["Fact"];
type Problem = components["schemas"]["Problem"];
type MeetingQuery = NonNullable<operations["listMeetings"]["parameters"]["query"]>;
type MeetingPage = paths["/v1/meetings"]["get"]["responses"][200]["content"]["application/json"];
type FactPage = operations["listFacts"]["responses"][200]["content"]["application/json"];
type FactQuery = NonNullable<operations["listFacts"]["parameters"]["query"]>;
type Query = Record<string, string | number | readonly string[] | undefined>;

export const BASE_URL = "http://127.0.0.1:8000";

function url(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    for (const item of typeof value === "object" ? value : [value]) params.append(key, String(item));
  }
  const qs = params.toString();
  return `${BASE_URL}${path}${qs ? `?${qs}` : ""}`;
}

async function getJson<T>(href: string): Promise<T> {
  const response = await fetch(href, { headers: { Accept: "application/json" } });
  if (!response.ok) {
    const problem = (await response.json()) as Problem;
    const fields = Object.keys(problem.errors ?? {}).join(", ");
    throw new Error(`${problem.status} ${problem.title}: ${problem.detail}${fields ? ` (${fields})` : ""}`);
  }
  return (await response.json()) as T;
}

/** When did two leaders last meet, as stated (not predicted)? */
export async function lastMeeting(a: string, b: string): Promise<Meeting | undefined> {
  const query: MeetingQuery = { participant: [a, b], status: ["stated"], sort: "-date", limit: 1 };
  const page = await getJson<MeetingPage>(url("/v1/meetings", query));
  return page.data[0];
}

/** Every fact matching `query`, following `next_cursor` page by page. */
export async function everyFact(query: Omit<FactQuery, "cursor"> = {}): Promise<Fact[]> {
  const facts: Fact[] = [];
  let cursor: string | null = null;
  do {
    const page: FactPage = await getJson<FactPage>(url("/v1/facts", { ...query, limit: 100, ...(cursor ? { cursor } : {}) }));
    facts.push(...page.data);
    cursor = page.next_cursor;
  } while (cursor !== null);
  return facts;
}

export function describe(meeting: Meeting): string {
  const when = meeting.date === null ? "undated" : `${meeting.date} (${meeting.date_precision ?? "?"})`;
  const quote = meeting.citations[0]?.quote ?? "";
  return `${meeting.participants.join(" + ")} met ${when} at ${meeting.location ?? "an unnamed place"}: “${quote}”`;
}

// The generated types are precise, not `any`: each line after a @ts-expect-error must fail to compile.
// Response vocabularies are open (CHANGELOG 1.1.0): a value the data adds later still type-checks...
export const laterPrecision: Meeting["date_precision"] = "week";
// @ts-expect-error ...but date_precision is a string or null, not a number
export const wrongPrecision: Meeting["date_precision"] = 3;
// @ts-expect-error request filters stay closed: status takes the known statuses only
export const wrongStatus: MeetingQuery["status"] = ["rumoured"];
// @ts-expect-error sort is "date" or "-date"
export const wrongSort: MeetingQuery["sort"] = "name";
// @ts-expect-error a page's rows are in `data`, not `items`
export const wrongPage: MeetingPage = { items: [], next_cursor: null };
// @ts-expect-error count is a number
export const wrongCount: components["schemas"]["TroopDeployment"]["count"] = "900";
