-- wrk script of bench/serve_bench.py: every request GETs a path picked at random from a file
-- (one path a line), with the extra headers given after the file name:
--   wrk -s bench/paths.lua http://127.0.0.1:8000 -- paths.txt 'If-None-Match: "abc"'
-- Every target of the benchmark (the bare "hello" app included) goes through this same script.
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

local paths, headers = {}, {}

function init(args)
  for line in io.lines(args[1]) do
    if line ~= "" then paths[#paths + 1] = line end
  end
  for i = 2, #args do
    local name, value = args[i]:match("^([^:]+):%s*(.*)$")
    headers[name] = value
  end
  math.randomseed(os.time() + 7919 * (thread_number or 0))
end

function request()
  return wrk.format("GET", paths[math.random(#paths)], headers)
end
