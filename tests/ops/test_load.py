"""wrk against the production server: 64 connections over a mix of endpoints, no socket
errors, no non-2xx/304 responses. `make test` runs 5 s; `make test-load` runs 60 s."""
import json
import os

from support import REPORT_LUA, Server, run_wrk

SECONDS = int(os.environ.get("KB_LOAD_SECONDS", "5"))
MIX = ["/v1", "/v1/facts?limit=20", "/v1/facts/russia-tartus-port-lease", "/v1/meetings/putin-assad-meeting-2024-07-24",
       "/v1/meetings?participant=vladimir-putin&participant=bashar-al-assad", "/v1/entities?q=erdogan",
       "/v1/search?q=ceasefire", "/v1/entities/bashar-al-assad/facts?from=2020&to=2024",
       "/v1/facts?as_of=2021&status=reported", "/v1/statements?kind=denial", "/v1/troop-deployments?country=united-states",
       "/v1/sources/bloomberg-2024-07-25", "/v1/facts?type=event&sort=-date&limit=5", "/healthz"]
SCRIPT = """
dofile(%s)
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
"""


def test_wrk_mix_has_no_errors(db_path, tmp_path):
    script = tmp_path / "mix.lua"
    script.write_text(SCRIPT % (json.dumps(str(REPORT_LUA)), ", ".join(f'"{p}"' for p in MIX)))
    with Server(db_path, workers=2, env={"ACCESS_LOG": "/dev/null"}) as server:
        result = run_wrk(server.url, SECONDS, connections=64, threads=2, script=script, timeout="5s")
    print(f"\nwrk {SECONDS}s x 64 connections: {result['requests']} requests, {result['socket_errors']} socket errors, "
          f"{result['non_2xx_3xx']} non-2xx/3xx, p99 {result['p99']:.1f} ms")
    assert result["requests"] > 100 * SECONDS
    assert result["socket_errors"] == 0, result
    assert result["non_2xx_3xx"] == 0, result
