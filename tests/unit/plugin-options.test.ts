import { parsePluginOptions } from "../../src/domain/shared/options"

const defaults = { rules_dir: "/pkg/rules" }

describe("plugin options", () => {
  it.each([
    [undefined, { rules_dir: "/pkg/rules", auto_enroll: true, watch_rules: false }],
    [{}, { rules_dir: "/pkg/rules", auto_enroll: true, watch_rules: false }],
    [{ rules_dir: "./loyalty" }, { rules_dir: "./loyalty", auto_enroll: true, watch_rules: false }],
    [{ auto_enroll: false }, { rules_dir: "/pkg/rules", auto_enroll: false, watch_rules: false }],
    [{ watch_rules: true }, { rules_dir: "/pkg/rules", auto_enroll: true, watch_rules: true }],
    // medusa-admin build reads enableUI from the same options object; the server accepts and ignores it.
    [{ enableUI: true }, { rules_dir: "/pkg/rules", auto_enroll: true, watch_rules: false }],
    [{ enableUI: false, auto_enroll: false }, { rules_dir: "/pkg/rules", auto_enroll: false, watch_rules: false }],
  ])("accepts %j with defaults filled in", (raw, expected) => {
    expect(parsePluginOptions(raw, defaults)).toEqual(expected)
  })

  it.each([
    [{ auto_enroll: "yes" }, "auto_enroll"],
    [{ rules_dir: 42 }, "rules_dir"],
    [{ rules_dir: "" }, "rules_dir"],
    [{ autoEnroll: true }, "autoEnroll"],
    [{ watch_rules: "on" }, "watch_rules"],
    [{ enableUI: "true" }, "enableUI"],
    [{ enableUi: true }, "enableUi"],
  ])("rejects %j with an INVALID_OPTIONS error naming %s", (raw, option) => {
    let error: unknown
    try {
      parsePluginOptions(raw, defaults)
    } catch (e) {
      error = e
    }
    expect(error).toMatchObject({ name: "LoyaltyError", code: "INVALID_OPTIONS" })
    expect((error as Error).message).toContain(option)
    expect((error as Error).message).toContain("medusa-config.js")
  })
})
