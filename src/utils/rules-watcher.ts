import fs from "fs"

export interface ReloadReport {
  ok: boolean
  message?: string
  rules: { version: string | null }
}

export interface RulesWatcher {
  close(): void
}

/** Editors save in bursts (temp file, rename, chmod): one reload after the burst settles. */
export const WATCH_DEBOUNCE_MS = 300

/**
 * Watches `dir` and calls `reload` once per burst of changes in it; a reload never overlaps another
 * (a change during one schedules exactly one more). The watcher never keeps the process alive, and it closes itself
 * when the directory goes away or a reload throws (the store is shutting down): the reload route still works.
 */
export function watchRulesDir(dir: string, reload: () => Promise<ReloadReport>, log: { info(m: string): void; warn(m: string): void; error(m: string): void }): RulesWatcher {
  let timer: NodeJS.Timeout | null = null
  let running = false
  let again = false
  let closed = false
  const watcher = fs.watch(dir, { persistent: false })

  const close = () => {
    closed = true
    if (timer) clearTimeout(timer)
    watcher.close()
  }
  const run = async () => {
    timer = null
    if (closed) return
    if (running) return void (again = true)
    running = true
    try {
      const report = await reload()
      if (report.ok) log.info(`medusa-plugin-loyalty-rules: ${dir} changed: rulebook ${report.rules.version?.slice(0, 12)} is live`)
      else log.warn(`medusa-plugin-loyalty-rules: ${dir} changed but was refused: ${report.message}`)
    } catch (e) {
      log.error(`medusa-plugin-loyalty-rules: reloading ${dir} failed, watching stops (POST /admin/loyalty/rules/reload still works): ${(e as Error).message}`)
      close()
    } finally {
      running = false
      if (again && !closed) {
        again = false
        schedule()
      }
    }
  }
  const schedule = () => {
    if (timer) clearTimeout(timer)
    timer = setTimeout(() => void run(), WATCH_DEBOUNCE_MS)
    timer.unref()
  }
  // Every event, not only `*.json` names: a Kubernetes ConfigMap update swaps a `..data` symlink, and an editor may
  // save through a temp name. A reload of unchanged files is cheap and keeps the same version.
  watcher.on("change", () => schedule())
  watcher.on("error", (e) => {
    log.warn(`medusa-plugin-loyalty-rules: watching ${dir} stopped: ${e.message}`)
    close()
  })
  return { close }
}
