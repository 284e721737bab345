import { EventEmitter } from "node:events"
import { afterCompletionsInFlight, completionsInFlight, trackCompletion } from "../checkouts-in-flight"

/** A response stand-in: trackCompletion only listens for its "finish" and "close" events. */
const response = () => new EventEmitter() as any

describe("order.placed subscribers let the checkouts in flight answer first", () => {
  it("resolves at once when no completion is in flight", async () => {
    const t0 = Date.now()
    await afterCompletionsInFlight(5_000)
    expect(Date.now() - t0).toBeLessThan(1_000)
  })

  it("waits until a completion in flight has answered, then resolves", async () => {
    const res = response()
    const next = jest.fn()
    trackCompletion({} as any, res, next)
    expect(next).toHaveBeenCalledTimes(1)
    expect(completionsInFlight()).toBe(1)
    let resolved = false
    const waiting = afterCompletionsInFlight(60_000).then(() => (resolved = true))
    await new Promise((r) => setTimeout(r, 20))
    expect(resolved).toBe(false)
    res.emit("finish")
    await waiting
    expect(resolved).toBe(true)
    expect(completionsInFlight()).toBe(0)
  })

  it("counts a completion whose connection closed without an answer as done", async () => {
    const res = response()
    trackCompletion({} as any, res, jest.fn())
    const waiting = afterCompletionsInFlight(60_000)
    res.emit("close")
    await waiting
    expect(completionsInFlight()).toBe(0)
  })

  it("gives up after the limit when a completion never answers", async () => {
    const res = response()
    trackCompletion({} as any, res, jest.fn())
    const t0 = Date.now()
    await afterCompletionsInFlight(50)
    expect(Date.now() - t0).toBeGreaterThanOrEqual(40)
    expect(completionsInFlight()).toBe(1)
    res.emit("finish")
    expect(completionsInFlight()).toBe(0)
  })

  it("does not wait for completions that start after it was called", async () => {
    const first = response()
    trackCompletion({} as any, first, jest.fn())
    const waiting = afterCompletionsInFlight(60_000)
    const later = response()
    trackCompletion({} as any, later, jest.fn())
    first.emit("finish")
    await waiting
    expect(completionsInFlight()).toBe(1)
    later.emit("finish")
  })
})
