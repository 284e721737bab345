// @ts-check
/**
 * A Medusa store in a child process: a second (third, …) server instance next to the one a test runs in-process.
 * Medusa v1 keeps process-wide singletons (its dataSource, logger, module registry), so one process holds one
 * store; more instances on the same database mean more processes, as in a real deployment.
 *
 * Parent: `startStoreProcess(options)` forks this file, hands it the startStore options over IPC and resolves once
 * the child's server listens. Child: boots with `startStore`, answers `handled` (the events its bus delivered to it,
 * when `recordEvents` is set) and `stop`, and stops by itself when the parent goes away.
 */
const path = require("path")
const { fork } = require("child_process")

/**
 * @typedef {import("./store").StartStoreOptions & { recordEvents?: string[] }} StoreProcessOptions JSON only
 *   (no `onStep`); `recordEvents`: event names whose deliveries to this instance are recorded (see recordEvents)
 * @typedef {Record<string, string[]>} HandledEvents event name → the ids of each delivery in delivery order
 *   (`data.id`, plus `/refund_id` or `/return_id` when the payload has one: one key per business event)
 * @typedef {object} StoreProcess
 * @property {string} baseUrl
 * @property {number} pid
 * @property {string} databaseUrl
 * @property {string | undefined} queueName
 * @property {{ createDatabase: number, migrations: number, boot: number, total: number }} timings ms, in the child
 * @property {() => Promise<HandledEvents>} handled the events delivered to this instance so far
 * @property {() => Promise<void>} stop stop the store (as Store.stop) and wait for the process to exit
 */

/**
 * Subscribes a recorder to each event on the store's event bus: every delivery to THIS instance appends
 * the payload's ids (`order_1/ref_2` for `order.refund_created`). With a shared Redis queue each event is delivered to one instance (or more, on a redelivery), so the
 * recorders of all instances together tell who handled what. The recorder does nothing else.
 * @param {any} container a store's container
 * @param {string[]} events
 * @returns {{ handled: () => HandledEvents }}
 */
function recordEvents(container, events) {
  /** @type {HandledEvents} */
  const seen = Object.fromEntries(events.map((e) => [e, []]))
  const bus = container.resolve("eventBusService")
  for (const event of events) {
    bus.subscribe(
      event,
      async (/** @type {any} */ data) => {
        seen[event].push([data?.id, data?.refund_id, data?.return_id].filter(Boolean).join("/"))
      },
      { subscriberId: `loyalty-test-recorder-${event}` }
    )
  }
  return { handled: () => JSON.parse(JSON.stringify(seen)) }
}

/**
 * Boots a store in a child process. Kill-safe: the child stops its store when the IPC channel closes.
 * Readiness is a condition, not a deadline: the child reports each boot step, and only a child that reports nothing
 * for `stallMs` (default 10 min) is given up on. A loaded machine boots slowly, but it boots.
 * @param {StoreProcessOptions} options
 * @param {{ stallMs?: number, env?: Record<string, string | undefined>, onOutput?: (chunk: string) => void }} [opts]
 *   `env`: changes to this process's environment for the child (`undefined` removes a variable); `onOutput`: receives
 *   the child's stdout and stderr instead of this process's terminal
 * @returns {Promise<StoreProcess>}
 */
function startStoreProcess(options, opts = {}) {
  const env = { ...process.env }
  for (const [name, value] of Object.entries(opts.env ?? {})) {
    if (value === undefined) delete env[name]
    else env[name] = value
  }
  const output = opts.onOutput ? "pipe" : "inherit"
  const child = fork(__filename, [], { stdio: ["ignore", output, output, "ipc"], env })
  if (opts.onOutput) {
    const forward = /** @type {(chunk: string) => void} */ (opts.onOutput)
    child.stdout?.setEncoding("utf8").on("data", forward)
    child.stderr?.setEncoding("utf8").on("data", forward)
  }
  let nextId = 1
  /** @type {Map<number, (msg: any) => void>} */
  const waiting = new Map()
  /** @type {Promise<number | null>} */
  const exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)))
  /** @type {() => void} */
  let onProgress = () => {}
  child.on("message", (/** @type {any} */ msg) => {
    if (msg.type === "progress") return onProgress()
    const reply = waiting.get(msg.id)
    if (reply) {
      waiting.delete(msg.id)
      reply(msg)
    }
  })
  /** @param {Record<string, unknown>} msg @returns {Promise<any>} */
  const ask = (msg) =>
    new Promise((resolve, reject) => {
      const id = nextId++
      waiting.set(id, (answer) => (answer.error ? reject(new Error(`store process ${child.pid}: ${answer.error}`)) : resolve(answer)))
      child.send({ ...msg, id })
      exited.then((code) => {
        if (waiting.delete(id)) reject(new Error(`store process ${child.pid} exited (code ${code}) before answering ${msg.type}`))
      })
    })

  const stallMs = opts.stallMs ?? 600_000
  return new Promise((resolve, reject) => {
    /** @type {NodeJS.Timeout | undefined} */
    let timer
    const armStallTimer = () => {
      clearTimeout(timer)
      timer = setTimeout(() => {
        child.kill("SIGKILL")
        reject(new Error(`store process ${child.pid}: no boot progress for ${stallMs} ms`))
      }, stallMs)
    }
    onProgress = armStallTimer
    armStallTimer()
    ask({ type: "start", options })
      .then(({ store }) => {
        clearTimeout(timer)
        let stopping = /** @type {Promise<void> | undefined} */ (undefined)
        resolve({
          ...store,
          pid: /** @type {number} */ (child.pid),
          handled: async () => (await ask({ type: "handled" })).handled,
          stop: () =>
            (stopping ??= (async () => {
              if (child.exitCode === null && child.connected) {
                await ask({ type: "stop" }).catch(() => {})
              }
              const killer = setTimeout(() => child.kill("SIGKILL"), 60_000)
              await exited
              clearTimeout(killer)
            })()),
        })
      })
      .catch((e) => {
        clearTimeout(timer)
        child.kill("SIGKILL")
        reject(e)
      })
  })
}

/** The child: one store, driven by the parent's messages. */
function runChild() {
  const { startStore } = require(path.join(__dirname, "store.js"))
  /** @type {any} */
  let store
  /** @type {{ handled: () => HandledEvents } | undefined} */
  let recorder
  /** @type {Promise<void> | undefined} */
  let stopping
  const stop = () => (stopping ??= store ? store.stop() : Promise.resolve())
  const send = (/** @type {any} */ msg) => process.connected && process.send?.(msg)

  process.on("message", async (/** @type {any} */ msg) => {
    try {
      if (msg.type === "start") {
        const { recordEvents: events, ...options } = msg.options
        const onStep = (/** @type {string} */ step, /** @type {number} */ ms) => send({ type: "progress", step, ms })
        store = await startStore({ ...options, onStep })
        if (events?.length) recorder = recordEvents(store.container, events)
        const { baseUrl, databaseUrl, queueName, timings } = store
        send({ id: msg.id, store: { baseUrl, databaseUrl, queueName, timings } })
      } else if (msg.type === "handled") {
        send({ id: msg.id, handled: recorder ? recorder.handled() : {} })
      } else if (msg.type === "stop") {
        await stop()
        send({ id: msg.id, stopped: true })
        process.disconnect()
        process.exitCode = 0
        // Medusa leaves a few Redis / pool handles behind after shutdown: do not wait for them.
        setTimeout(() => process.exit(0), 200).unref()
      }
    } catch (e) {
      send({ id: msg.id, error: e instanceof Error ? e.stack ?? e.message : String(e) })
    }
  })
  // The parent went away (test finished or crashed): stop and go.
  process.on("disconnect", () => {
    stop().finally(() => setTimeout(() => process.exit(0), 200))
  })
}

if (require.main === module) runChild()

module.exports = { startStoreProcess, recordEvents }
