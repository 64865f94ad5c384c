/**
 * The Lua scripts behind RedisStore: each check-and-set runs as one script, so instances racing on the
 * same key see one winner. Times come from the server (`TIME`) unless a caller passes its own clock.
 */

/** Milliseconds since the epoch by the Redis server's clock. */
const NOW = `local function now_ms() local t = redis.call('TIME') return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) end`;

/** Append a journal event to the stream, trimming what is past retention. */
const JOURNAL = `local function journal(stream, event, retention)
  redis.call('XADD', stream, 'MINID', '~', tostring(now_ms() - retention), '*', 'e', event)
end`;

/** Shared by every script: the clock and the journal append. */
const PRELUDE = `${NOW}\n${JOURNAL}\n`;

export const SCRIPTS = {
  /** KEYS write, hash index, stream; ARGV record json, parts, created ms, expire-at ms, retention, event, id. */
  create: `${PRELUDE}
redis.call('HSET', KEYS[1], 'rec', ARGV[1], 'n', ARGV[2])
redis.call('PEXPIREAT', KEYS[1], ARGV[4])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[7])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
journal(KEYS[3], ARGV[6], tonumber(ARGV[5]))
return 1`,

  /** Confirm once. KEYS write, stream; ARGV at, retention, event. 1 = this caller, 0 = already confirmed, -1 = no such write. */
  consume: `${PRELUDE}
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if redis.call('HSETNX', KEYS[1], 'c', ARGV[1]) == 0 then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
journal(KEYS[2], ARGV[3], tonumber(ARGV[2]))
return 1`,

  /**
   * Mark a part attempted only while it is still to send (pending, refused before the vendor acted, or with
   * recipients to send again: `p` or `r` in its letters) and,
   * when this instance leased the write, only while it still holds that lease: two instances never send one part.
   * KEYS write, stream, lease; ARGV part, part json, owner ('' = no lease to check), retention, event.
   */
  attempt: `${PRELUDE}
if ARGV[3] ~= '' and redis.call('GET', KEYS[3]) ~= ARGV[3] then return redis.error_reply('LEASE this instance no longer holds the lease on this write') end
if redis.call('EXISTS', KEYS[1]) == 0 then return redis.error_reply('GONE the write is no longer in the journal') end
local held = redis.call('HGET', KEYS[1], ARGV[1])
if held then
  local p = cjson.decode(held)
  local unsent
  if type(p.each) == 'string' then
    -- A part resumed recipient by recipient: only from the letters as stored (its caller read them under the lease).
    unsent = string.find(p.each, '[pr]') ~= nil and (string.gsub(p.each, '[pr]', 'a')) == cjson.decode(ARGV[2]).each
  else
    unsent = p.state == 'failed' and p.not_acted == true
  end
  if not unsent then return redis.error_reply('TAKEN part ' .. ARGV[1] .. ' was already attempted') end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
journal(KEYS[2], ARGV[5], tonumber(ARGV[4]))
return 1`,

  /** KEYS write, stream; ARGV part, part json, retention, event. */
  outcome: `${PRELUDE}
if redis.call('EXISTS', KEYS[1]) == 0 then return redis.error_reply('GONE the write is no longer in the journal') end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
journal(KEYS[2], ARGV[4], tonumber(ARGV[3]))
return 1`,

  /** Take or renew a lease held by nobody or by this owner. KEYS lease; ARGV owner, ttl. */
  lease: `if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
return 0`,

  /** Give a lease back, only by its owner. KEYS lease; ARGV owner. */
  unlease: `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`,

  /**
   * LocalRateWindows.reserve over a sorted set of slots: the next slot `interval` after the newest and within
   * every sliding window. KEYS slots; ARGV now ('' = the server's clock), interval, span, member, then limit/ms pairs.
   * Returns { slot, now } in the clock used.
   */
  reserve: `${NOW}
local now = ARGV[1] == '' and now_ms() or tonumber(ARGV[1])
local interval, span = tonumber(ARGV[2]), tonumber(ARGV[3])
-- Forget slots older than the longest window, but keep the newest, as LocalRateWindows does: the next slot is
-- spaced from it whatever interval the previous caller used.
local old = redis.call('ZCOUNT', KEYS[1], '-inf', '(' .. tostring(now - span))
local n = redis.call('ZCARD', KEYS[1])
if old >= n then old = n - 1 end
if old > 0 then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, old - 1) n = n - old end
local slot = now
if n > 0 then
  local last = tonumber(redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')[2])
  slot = math.max(slot, last + interval)
end
for i = 5, #ARGV, 2 do
  local limit, ms = tonumber(ARGV[i]), tonumber(ARGV[i + 1])
  if n >= limit then
    local at = tonumber(redis.call('ZRANGE', KEYS[1], n - limit, n - limit, 'WITHSCORES')[2])
    slot = math.max(slot, at + ms)
  end
end
redis.call('ZADD', KEYS[1], slot, ARGV[4])
redis.call('PEXPIRE', KEYS[1], math.max(1000, slot - now + span))
return { slot, now }`,

  /**
   * 0 and the send recorded when it may go now (`interval` after the last send or answer under the key), else the
   * wait before asking again. KEYS last; ARGV now ('' = the server's clock), interval.
   */
  space: `${NOW}
local now = ARGV[1] == '' and now_ms() or tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local gap = tonumber(redis.call('GET', KEYS[1]) or '0') + interval - now
if gap > 0 then return math.ceil(gap) end
redis.call('SET', KEYS[1], tostring(now), 'PX', math.max(1000, interval * 2))
return 0`,

  /** An answer under the key: later sends are spaced from it too. KEYS last; ARGV now ('' = the server's clock), ttl. */
  sent: `${NOW}
local now = ARGV[1] == '' and now_ms() or tonumber(ARGV[1])
if now > tonumber(redis.call('GET', KEYS[1]) or '0') then redis.call('SET', KEYS[1], tostring(now), 'PX', ARGV[2]) end
return 1`,

  /** Hold the key for `ms` from now unless a later hold stands. KEYS hold; ARGV now ('' = the server's clock), ms. */
  hold: `${NOW}
local now = ARGV[1] == '' and now_ms() or tonumber(ARGV[1])
local ms = math.ceil(tonumber(ARGV[2]))
if ms > 0 and now + ms > tonumber(redis.call('GET', KEYS[1]) or '0') then redis.call('SET', KEYS[1], tostring(now + ms), 'PX', ms) end
return 1`,

  /** Milliseconds the key is still held from now (0: not held). KEYS hold; ARGV now ('' = the server's clock). */
  held: `${NOW}
local now = ARGV[1] == '' and now_ms() or tonumber(ARGV[1])
local left = tonumber(redis.call('GET', KEYS[1]) or '0') - now
if left > 0 then return math.ceil(left) end
return 0`,

  /**
   * One of `max` concurrency slots, held until released or `ttl` passes without renewal.
   * KEYS holders; ARGV member, max, ttl. 1 = held (or renewed), 0 = all taken.
   */
  slot: `${NOW}
local now = now_ms()
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZSCORE', KEYS[1], ARGV[1]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]) * 2)
  return 1
end
return 0`,

  /** Give a concurrency slot back and wake the waiters (on any instance). KEYS holders; ARGV member. */
  unslot: `redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('PUBLISH', KEYS[1], '1')
return 1`,

  /** Renew a held concurrency slot. KEYS holders; ARGV member, ttl. */
  renewSlot: `${NOW}
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[1], now_ms() + tonumber(ARGV[2]), ARGV[1])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 2)
  return 1
end
return 0`,

  /**
   * Keep a listing behind its cursors, evicting expired then oldest ones until the count and the total size fit
   * (one listing larger than the budget is kept alone). KEYS index (zset id → expiry), sizes (hash id → bytes);
   * ARGV snapshot key prefix, id, value, ttl, bytes, max count, max bytes.
   */
  snapshot: `${NOW}
local now = now_ms()
local prefix, id, ttl, bytes = ARGV[1], ARGV[2], tonumber(ARGV[4]), tonumber(ARGV[5])
local function drop(x) redis.call('DEL', prefix .. x) redis.call('ZREM', KEYS[1], x) redis.call('HDEL', KEYS[2], x) end
for _, x in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)) do drop(x) end
drop(id)
local total = 0
for _, v in ipairs(redis.call('HVALS', KEYS[2])) do total = total + tonumber(v) end
local count = redis.call('ZCARD', KEYS[1])
while count > 0 and (count >= tonumber(ARGV[6]) or total + bytes > tonumber(ARGV[7])) do
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
  total = total - tonumber(redis.call('HGET', KEYS[2], oldest) or '0')
  drop(oldest)
  count = count - 1
end
redis.call('SET', prefix .. id, ARGV[3], 'PX', ttl)
redis.call('ZADD', KEYS[1], now + ttl, id)
redis.call('HSET', KEYS[2], id, bytes)
-- The index lives as long as its longest-lived entry: a short listing after a day-long audit report must not cut it.
for _, k in ipairs(KEYS) do if redis.call('PTTL', k) < ttl then redis.call('PEXPIRE', k, ttl) end end
return 1`,
} as const;

export type ScriptName = keyof typeof SCRIPTS;
