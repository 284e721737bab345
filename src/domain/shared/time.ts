/** Time spans in milliseconds, for the core and both adapters (one definition: a day is 24 hours of UTC time). */
export const HOUR_MS = 60 * 60 * 1000
export const DAY_MS = 24 * HOUR_MS
