-- POST /api/v1/fill-checks with a random scan from SCANS (one per line), as filler TOKEN.
package.path = package.path .. ";" .. os.getenv("WRK_DIR") .. "/?.lua"
local common = require("common")
local scans, token

function init(args)
  math.randomseed(os.time() + math.floor(os.clock() * 1e6))
  scans = common.lines(os.getenv("SCANS"))
  token = os.getenv("TOKEN")
end

function request()
  local scan = scans[math.random(1, #scans)]
  local body = '{"scan":"' .. scan .. '"}'
  return wrk.format("POST", "/api/v1/fill-checks",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end
