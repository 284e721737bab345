/**
 * Positions in JSON source text: where a JSON pointer's value (or member key) starts, and where a syntax error is.
 * A small scanner, run only when a file has issues; values themselves come from JSON.parse.
 */

export interface SourcePosition {
  /** 1-based. */
  line: number
  /** 1-based, in UTF-16 code units. */
  column: number
}

export type ScanResult =
  | { ok: true; offsets: Map<string, number> }
  | { ok: false; offset: number; message: string; hint?: string }

class ScanError extends Error {
  constructor(readonly offset: number, message: string, readonly hint?: string) {
    super(message)
  }
}

/** RFC 6901 JSON pointer of a path: "" for the root, `~` → `~0`, `/` → `~1`. */
export function jsonPointer(path: ReadonlyArray<PropertyKey>): string {
  return path.map((segment) => `/${String(segment).replace(/~/g, "~0").replace(/\//g, "~1")}`).join("")
}

/** 1-based line and column of a UTF-16 offset in `text` (\n, \r\n and \r all end a line). */
export function lineColumn(text: string, offset: number): SourcePosition {
  let line = 1
  let lineStart = 0
  for (let i = 0; i < Math.min(offset, text.length); i++) {
    const ch = text.charCodeAt(i)
    if (ch === 10 || (ch === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++
      lineStart = i + 1
    }
  }
  return { line, column: offset - lineStart + 1 }
}

/**
 * Scans JSON `text`: either every pointer's offset (a member's key offset, so an unknown key points at itself;
 * array elements and the root at their value), or the first syntax error with a human reason.
 * Invariant: never throws; accepts exactly what JSON.parse accepts (plus a leading BOM).
 */
export function scanJson(text: string): ScanResult {
  const offsets = new Map<string, number>()
  const scanner = new Scanner(text, offsets)
  try {
    scanner.document()
    return { ok: true, offsets }
  } catch (e) {
    if (e instanceof ScanError) return { ok: false, offset: e.offset, message: e.message, hint: e.hint }
    return { ok: false, offset: 0, message: `cannot read the file as JSON: ${(e as Error).message}` }
  }
}

/** Position of `pointer` in `text`, falling back to the nearest ancestor that exists (a missing key → its object). */
export function locatePointer(text: string, pointer: string, scan: ScanResult = scanJson(text)): SourcePosition | undefined {
  if (!scan.ok) return undefined
  let current = pointer
  for (;;) {
    const offset = scan.offsets.get(current)
    if (offset !== undefined) return lineColumn(text, offset)
    if (current === "") return undefined
    current = current.slice(0, current.lastIndexOf("/"))
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
const MAX_DEPTH = 512

class Scanner {
  private pos = 0

  constructor(private readonly text: string, private readonly offsets: Map<string, number>) {
    if (text.charCodeAt(0) === 0xfeff) this.pos = 1
  }

  document(): void {
    this.ws()
    if (this.pos >= this.text.length) throw new ScanError(this.pos, "the file is empty", "a rule file is a JSON object: { \"kind\": \"accrual\", \"rules\": [] }")
    this.value("", 0)
    this.ws()
    if (this.pos < this.text.length) throw new ScanError(this.pos, `unexpected ${this.describe()} after the end of the JSON document`, "remove it, or wrap everything in one object")
  }

  private value(pointer: string, depth: number, recordAt = true): void {
    if (depth > MAX_DEPTH) throw new ScanError(this.pos, `nesting deeper than ${MAX_DEPTH} levels`)
    if (recordAt) this.offsets.set(pointer, this.pos)
    const ch = this.text[this.pos]
    if (ch === "{") return this.object(pointer, depth)
    if (ch === "[") return this.array(pointer, depth)
    if (ch === "\"") return void this.string()
    if (ch === "'") throw new ScanError(this.pos, "strings must use double quotes", "replace ' with \"")
    for (const literal of ["true", "false", "null"]) {
      if (this.text.startsWith(literal, this.pos)) {
        this.pos += literal.length
        return
      }
    }
    NUMBER.lastIndex = this.pos
    if (NUMBER.exec(this.text)) {
      this.pos = NUMBER.lastIndex
      return
    }
    throw new ScanError(this.pos, `expected a value but found ${this.describe()}`, this.hintAt())
  }

  private object(pointer: string, depth: number): void {
    this.pos++
    this.ws()
    if (this.text[this.pos] === "}") return void this.pos++
    for (;;) {
      this.ws()
      if (this.text[this.pos] !== "\"") throw new ScanError(this.pos, `expected a "quoted" key but found ${this.describe()}`, this.hintAt())
      const keyOffset = this.pos
      const key = this.string()
      const child = `${pointer}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`
      this.offsets.set(child, keyOffset)
      this.ws()
      if (this.text[this.pos] !== ":") throw new ScanError(this.pos, `expected ':' after the key "${key}" but found ${this.describe()}`)
      this.pos++
      this.ws()
      this.value(child, depth + 1, false)
      this.ws()
      if (this.text[this.pos] === ",") {
        this.pos++
        continue
      }
      if (this.text[this.pos] === "}") return void this.pos++
      throw new ScanError(this.pos, `expected ',' or '}' after the value of "${key}" but found ${this.describe()}`, "a comma is probably missing")
    }
  }

  private array(pointer: string, depth: number): void {
    this.pos++
    this.ws()
    if (this.text[this.pos] === "]") return void this.pos++
    for (let index = 0; ; index++) {
      this.ws()
      this.value(`${pointer}/${index}`, depth + 1)
      this.ws()
      if (this.text[this.pos] === ",") {
        this.pos++
        continue
      }
      if (this.text[this.pos] === "]") return void this.pos++
      throw new ScanError(this.pos, `expected ',' or ']' in the list but found ${this.describe()}`, "a comma is probably missing")
    }
  }

  /** Reads a string token and returns its decoded value. */
  private string(): string {
    const start = this.pos
    this.pos++
    while (this.pos < this.text.length) {
      const code = this.text.charCodeAt(this.pos)
      if (code === 0x22) {
        this.pos++
        return JSON.parse(this.text.slice(start, this.pos)) as string
      }
      if (code === 0x0a || code === 0x0d) throw new ScanError(start, "a string is not closed before the end of its line", "add the closing \" (write \\n for a line break inside a string)")
      if (code < 0x20) throw new ScanError(this.pos, "a control character inside a string", "write it as an escape such as \\t")
      if (code === 0x5c) {
        const escape = this.text[this.pos + 1]
        if (escape === "u" && /^[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos + 2, this.pos + 6))) this.pos += 6
        else if (escape !== undefined && "\"\\/bfnrt".includes(escape)) this.pos += 2
        else throw new ScanError(this.pos, "invalid escape sequence in a string", "write \\\\ for a backslash")
        continue
      }
      this.pos++
    }
    throw new ScanError(start, "a string is never closed", "add the closing \"")
  }

  private ws(): void {
    while (this.pos < this.text.length && " \t\n\r".includes(this.text[this.pos])) this.pos++
  }

  private describe(): string {
    if (this.pos >= this.text.length) return "the end of the file"
    return `'${String.fromCodePoint(this.text.codePointAt(this.pos) ?? 0)}'`
  }

  /** Hints for the usual hand-editing slips. */
  private hintAt(): string | undefined {
    const ch = this.text[this.pos]
    if (ch === "}" || ch === "]") return `JSON allows no trailing comma: remove the ',' before '${ch}'`
    if (ch === "/") return "JSON has no comments: use a \"description\" field instead"
    if (ch === "'") return "replace ' with \""
    if (ch !== undefined && /[A-Za-z_$]/.test(ch)) return "keys and strings need double quotes"
    return undefined
  }
}
