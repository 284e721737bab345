import Medusa from "@medusajs/js-sdk"

// Set by the admin bundler from the store's admin config (ADMIN_AUTH_TYPE, backendUrl, ADMIN_JWT_TOKEN_STORAGE_KEY);
// absent when this file is compiled anywhere else, hence the typeof guards.
declare const __BACKEND_URL__: string | undefined
declare const __AUTH_TYPE__: "session" | "jwt" | undefined
declare const __JWT_TOKEN_STORAGE_KEY__: string | undefined

/**
 * The client the loyalty pages call the plugin's admin routes with. The dashboard's own client when it exposes one
 * (same base URL, auth type and token storage), otherwise one built from the same build-time settings: a store whose
 * admin signs in with a JWT sends the bearer token, a session store its cookie. A hard-coded `auth.type` would send
 * neither to a store configured the other way.
 */
function adminClient(): Medusa {
  const dashboard = typeof window !== "undefined" ? (window as unknown as { __sdk?: Medusa }).__sdk : undefined
  if (dashboard?.client) return dashboard
  const baseUrl = (typeof __BACKEND_URL__ !== "undefined" && __BACKEND_URL__) || "/"
  const type = (typeof __AUTH_TYPE__ !== "undefined" && __AUTH_TYPE__) || "session"
  const jwtTokenStorageKey = (typeof __JWT_TOKEN_STORAGE_KEY__ !== "undefined" && __JWT_TOKEN_STORAGE_KEY__) || undefined
  return new Medusa({ baseUrl, auth: { type, jwtTokenStorageKey } })
}

let client: Medusa | null = null

/** The admin client, resolved at the first request (by then the dashboard has created its own). */
export function sdk(): Medusa {
  client ??= adminClient()
  return client
}
