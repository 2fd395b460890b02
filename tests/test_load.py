"""wrk against the production server: 64 connections over a mix of endpoints, no socket
errors, no non-2xx/304 responses. `make test` runs 5 s; `make test-load` runs 60 s."""
import os
import re
import shutil
import subprocess

from live import Server

SECONDS = int(os.environ.get("KB_LOAD_SECONDS", "5"))
MIX = ["/v1", "/v1/facts?limit=20", "/v1/facts/russia-tartus-port-lease", "/v1/meetings/putin-assad-meeting-2024-07-24",
       "/v1/meetings?participant=vladimir-putin&participant=bashar-al-assad", "/v1/entities?q=erdogan",
       "/v1/search?q=ceasefire", "/v1/entities/bashar-al-assad/facts?from=2020&to=2024",
       "/v1/facts?as_of=2021&status=reported", "/v1/statements?kind=denial", "/v1/troop-deployments?country=united-states",
       "/v1/sources/bloomberg-2024-07-25", "/v1/facts?type=event&sort=-date&limit=5", "/healthz"]
SCRIPT = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
"""


def wrk_binary():
    path = shutil.which("wrk")
    assert path, "wrk is not installed: run `make install-wrk` (as root it installs the Debian package)"
    return path


def parse(output):
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    socket_errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non_2xx = int((re.search(r"Non-2xx or 3xx responses: (\d+)", output) or [0, 0])[1])
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
    scale = {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
    return requests, socket_errors, non_2xx, float(p99.group(1)) * scale


def test_wrk_mix_has_no_errors(db_path, tmp_path):
    script = tmp_path / "mix.lua"
    script.write_text(SCRIPT % ", ".join(f'"{p}"' for p in MIX))
    with Server(db_path, workers=2, ACCESS_LOG="/dev/null") as server:
        result = subprocess.run([wrk_binary(), "-t2", "-c64", f"-d{SECONDS}s", "--timeout", "5s", "--latency",
                                 "-s", str(script), server.url], capture_output=True, text=True, timeout=SECONDS + 60)
    assert result.returncode == 0, result.stderr
    requests, socket_errors, non_2xx, p99 = parse(result.stdout)
    print(f"\nwrk {SECONDS}s x 64 connections: {requests} requests, {socket_errors} socket errors, "
          f"{non_2xx} non-2xx/3xx, p99 {p99:.1f} ms")
    assert requests > 100 * SECONDS
    assert socket_errors == 0, result.stdout
    assert non_2xx == 0, result.stdout
