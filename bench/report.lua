-- wrk reporter shared by every benchmark and test that runs wrk (bench/harness.py run_wrk):
-- at the end of the run it prints ONE line, a JSON object with the whole result, which
-- run_wrk reads instead of wrk's text report. Alone it loads GET / (or the URL's path):
--   wrk -s bench/report.lua http://127.0.0.1:8000/v1
-- A script with its own request() loads it first (wrk takes a single -s script):
--   dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "report.lua")
-- Fields: requests, duration_s, bytes, rps, errors {connect, read, write, timeout, status}
-- (status: responses >= 400, wrk's "Non-2xx or 3xx responses"), latency_ms {p50, p90, p99,
-- max, mean}.

function done(summary, latency, requests)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  local function ms(us) return string.format("%.3f", us / 1000) end
  io.write(string.format(
    '{"wrk_report": 1, "requests": %d, "duration_s": %.6f, "bytes": %d, "rps": %.3f, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d, "status": %d}, ' ..
    '"latency_ms": {"p50": %s, "p90": %s, "p99": %s, "max": %s, "mean": %s}}\n',
    summary.requests, seconds, summary.bytes, seconds > 0 and summary.requests / seconds or 0,
    e.connect, e.read, e.write, e.timeout, e.status,
    ms(latency:percentile(50)), ms(latency:percentile(90)), ms(latency:percentile(99)),
    ms(latency.max), ms(latency.mean)))
end
