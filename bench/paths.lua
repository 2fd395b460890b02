-- wrk script of bench/serve_bench.py: every request GETs a path picked at random from a file
-- (one path a line); extra headers come from wrk's -H. The result is printed as one JSON line
-- by bench/report.lua (bench/harness.py run_wrk reads it):
--   wrk -s bench/paths.lua -H 'If-None-Match: "abc"' http://127.0.0.1:8000 -- paths.txt
-- Every target of the benchmark (the bare "hello" app included) goes through this same script.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "report.lua")

local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

local paths = {}

function init(args)
  for line in io.lines(args[1]) do
    if line ~= "" then paths[#paths + 1] = line end
  end
  math.randomseed(os.time() + 7919 * (thread_number or 0))
end

function request()
  return wrk.format("GET", paths[math.random(#paths)])
end
