/** Time spans in milliseconds, for the core and both adapters (one definition: a day is 24 hours of UTC time). */
export const MINUTE_MS = 60 * 1000
export const HOUR_MS = 60 * MINUTE_MS
export const DAY_MS = 24 * HOUR_MS
