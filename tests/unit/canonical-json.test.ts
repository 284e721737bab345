import { canonicalJson, sha256Hex } from "../../src/domain/shared/canonical-json"

describe("canonicalJson: one text per value", () => {
  it.each([
    [{ b: 1, a: 2 }, "{\"a\":2,\"b\":1}"],
    [{ z: { y: 1, x: [3, { d: 1, c: 2 }] } }, "{\"z\":{\"x\":[3,{\"c\":2,\"d\":1}],\"y\":1}}"],
    [[1, "two", null, true], "[1,\"two\",null,true]"],
    [{ a: undefined, b: 1 }, "{\"b\":1}"],
    ["é\n", "\"é\\n\""],
    [JSON.parse("{\"__proto__\":{\"x\":1}}"), "{\"__proto__\":{\"x\":1}}"],
  ])("%j → %s", (value, expected) => {
    expect(canonicalJson(value)).toBe(expected)
  })

  it("gives the same text whatever the key order", () => {
    expect(canonicalJson(JSON.parse("{\"a\":1,\"b\":{\"c\":2,\"d\":3}}"))).toBe(canonicalJson(JSON.parse("{ \"b\": { \"d\": 3, \"c\": 2 }, \"a\": 1 }")))
  })

  it.each([[Number.NaN], [Number.POSITIVE_INFINITY], [() => 1]])("refuses non-JSON value %p", (value) => {
    expect(() => canonicalJson(value)).toThrow(TypeError)
  })
})

describe("sha256Hex", () => {
  it.each([
    ["", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
    ["abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"],
  ])("hashes %p to the known digest", (text, digest) => {
    expect(sha256Hex(text)).toBe(digest)
  })
})
