import { execFile } from "child_process"
import path from "path"
import { REPO_ROOT } from "./harness"

/** The built CLI (npm test builds before jest runs). */
export const CLI = path.join(REPO_ROOT, "dist", "cli", "index.js")
/** The fixture store directory: commands that boot Medusa run from a store directory. */
export const FIXTURE_STORE = path.join(REPO_ROOT, "tests", "fixtures", "store")

/** Runs `medusa-loyalty <args>`; resolves with the exit code and output (never rejects on a non-zero exit). */
export function cli(args: string[], cwd = REPO_ROOT): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd, env: process.env, timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : -1) : 0
      resolve({ code, stdout, stderr })
    })
  })
}
