-- POST /api/v1/fills: a new event_id every time, a random own cylinder from SCANS.
package.path = package.path .. ";" .. os.getenv("WRK_DIR") .. "/?.lua"
local common = require("common")
local scans, token, filled_at

function init(args)
  math.randomseed(os.time() + math.floor(os.clock() * 1e6))
  scans = common.lines(os.getenv("SCANS"))
  token = os.getenv("TOKEN")
  filled_at = os.getenv("FILLED_AT")
end

function request()
  local scan = scans[math.random(1, #scans)]
  local body = '{"event_id":"' .. common.uuid4() .. '","scan":"' .. scan ..
    '","net_kg":14.5,"filled_at":"' .. filled_at .. '","post_checks":{"leak_ok":true}}'
  return wrk.format("POST", "/api/v1/fills",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end
