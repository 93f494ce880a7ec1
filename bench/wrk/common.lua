-- Shared by the wrk scripts: read lines from a file, pick one at random, make UUIDs.
local common = {}

function common.lines(path)
  local items = {}
  for line in io.lines(path) do
    if #line > 0 then items[#items + 1] = line end
  end
  return items
end

local hex = "0123456789abcdef"
function common.uuid4()
  local out = {}
  for i = 1, 32 do
    local n = math.random(1, 16)
    if i == 13 then n = 5 end                       -- version 4
    if i == 17 then n = math.random(9, 12) end      -- variant 10xx
    out[#out + 1] = hex:sub(n, n)
    if i == 8 or i == 12 or i == 16 or i == 20 then out[#out + 1] = "-" end
  end
  return table.concat(out)
end

return common
