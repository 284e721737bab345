// @ts-check
/**
 * Redis helpers for the multi-instance tests: is a Redis server there, how busy is an event-bus queue, and
 * deleting what a test run wrote. ioredis and bullmq are the copies @medusajs/event-bus-redis itself uses.
 *
 * `node scripts/lib/redis.js --probe <url>` prints the probe result as JSON (tests decide synchronously, at
 * collection time, whether a Redis suite runs).
 */
const net = require("net")
const path = require("path")
const { spawnSync } = require("child_process")

/** Key prefix @medusajs/event-bus-redis gives its BullMQ queue (its class name): `RedisEventBusService:<queue>:…`. */
const EVENT_BUS_PREFIX = "RedisEventBusService"

/** @param {string} name */
function fromEventBusRedis(name) {
  const dir = path.dirname(require.resolve("@medusajs/event-bus-redis/package.json"))
  return require(require.resolve(name, { paths: [dir] }))
}

/**
 * TCP connect, AUTH when the URL has a password, PING. Never throws.
 * @param {string} url e.g. redis://127.0.0.1:6379
 * @param {number} [timeoutMs]
 * @returns {Promise<{ ok: true } | { ok: false, reason: string }>}
 */
function probeRedis(url, timeoutMs = 1500) {
  return new Promise((resolve) => {
    /** @type {URL} */
    let u
    try {
      u = new URL(url)
    } catch {
      resolve({ ok: false, reason: `not a URL: ${url}` })
      return
    }
    const socket = net.connect({ host: u.hostname || "127.0.0.1", port: Number(u.port || 6379) })
    let answer = ""
    const done = (/** @type {{ ok: true } | { ok: false, reason: string }} */ r) => {
      socket.destroy()
      resolve(r)
    }
    socket.setTimeout(timeoutMs, () => done({ ok: false, reason: `no answer from ${u.host} within ${timeoutMs} ms` }))
    socket.on("error", (e) => done({ ok: false, reason: `${u.host}: ${/** @type {any} */ (e).code ?? e.message}` }))
    socket.on("connect", () => {
      const password = decodeURIComponent(u.password)
      const user = decodeURIComponent(u.username)
      if (password) socket.write(user ? `AUTH ${user} ${password}\r\n` : `AUTH ${password}\r\n`)
      socket.write("PING\r\n")
    })
    socket.on("data", (chunk) => {
      answer += chunk.toString("utf8")
      if (answer.includes("+PONG")) done({ ok: true })
      else if (answer.startsWith("-")) done({ ok: false, reason: `${u.host} answered ${answer.trim()}` })
    })
  })
}

/**
 * `probeRedis` from a child node process, synchronously (jest decides `describe` vs `describe.skip` at load time).
 * @param {string} url
 * @returns {{ ok: true } | { ok: false, reason: string }}
 */
function probeRedisSync(url) {
  const run = spawnSync(process.execPath, [__filename, "--probe", url], { encoding: "utf8", timeout: 10000 })
  try {
    return JSON.parse(run.stdout)
  } catch {
    return { ok: false, reason: `probe process failed: ${run.error?.message ?? run.stderr}` }
  }
}

/**
 * @param {string} url
 * @returns {any} an ioredis client as BullMQ wants it
 */
function connect(url) {
  const Redis = fromEventBusRedis("ioredis")
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: false })
}

/**
 * Job counts of an event-bus-redis queue (waiting, active, delayed, prioritized, failed, completed).
 * @param {string} url
 * @param {string} queueName
 * @returns {Promise<Record<string, number>>}
 */
async function eventQueueCounts(url, queueName) {
  const { Queue } = fromEventBusRedis("bullmq")
  const connection = connect(url)
  const queue = new Queue(queueName, { connection, prefix: EVENT_BUS_PREFIX })
  try {
    return await queue.getJobCounts("waiting", "active", "delayed", "prioritized", "failed", "completed")
  } finally {
    await queue.close()
    connection.disconnect()
  }
}

/**
 * Deletes every key matching one of `patterns` (SCAN MATCH, so a big Redis is not blocked). Returns the count.
 * @param {string} url
 * @param {string[]} patterns e.g. [`RedisEventBusService:${queueName}:*`, `${redisPrefix}*`]
 * @returns {Promise<number>}
 */
async function deleteRedisKeys(url, patterns) {
  const redis = connect(url)
  let deleted = 0
  try {
    for (const match of patterns) {
      let cursor = "0"
      do {
        const [next, keys] = await redis.scan(cursor, "MATCH", match, "COUNT", 500)
        cursor = next
        if (keys.length) deleted += await redis.del(...keys)
      } while (cursor !== "0")
    }
  } finally {
    redis.disconnect()
  }
  return deleted
}

if (require.main === module && process.argv[2] === "--probe") {
  probeRedis(process.argv[3] ?? "redis://127.0.0.1:6379").then((r) => {
    process.stdout.write(JSON.stringify(r))
  })
}

module.exports = { EVENT_BUS_PREFIX, probeRedis, probeRedisSync, eventQueueCounts, deleteRedisKeys }
