// throwaway probe (not committed): completion CPU of a member with a long history vs a fresh member, same app
import { createContext } from "./lib/context.mjs"
import { median } from "./lib/stats.mjs"
import { prepareV2Cart, completeV2Cart } from "./lib/v2-checkout.mjs"
const ctx = createContext({ quick: true, baseDbUrl: process.env.DATABASE_URL, log: (m) => console.log(m) })
try {
  const v2 = await (process.env.BARE ? ctx.v2Baseline() : ctx.v2())
  const old = await v2.shop.registerCustomer(`hist-old-${Date.now()}@x.test`)
  const H = Number(process.env.H ?? 120)
  const carts = []
  for (let i = 0; i < H; i++) carts.push(await prepareV2Cart(v2, old))
  for (const c of carts) await completeV2Cart(v2, old, c)
  console.log(`old member has ${H} orders`)
  const fresh = await v2.shop.registerCustomer(`hist-new-${Date.now()}@x.test`)
  const res = { old: [], fresh: [] }
  for (let i = 0; i < 16; i++) {
    for (const [k, m] of i % 2 ? [["old", old], ["fresh", fresh]] : [["fresh", fresh], ["old", old]]) {
      const c = await prepareV2Cart(v2, m)
      await new Promise((r) => setTimeout(r, 300))
      const c0 = await v2.cpuMs()
      await completeV2Cart(v2, m, c)
      const c1 = await v2.cpuMs()
      res[k].push(c1 - c0)
      await new Promise((r) => setTimeout(r, 300))
    }
  }
  console.log(`completion CPU median: old member ${median(res.old).toFixed(1)} ms, fresh member ${median(res.fresh).toFixed(1)} ms`)
} finally { await ctx.close() }
