export * from "./order-points"
export * from "./members"
export * from "./tier-groups"
export * from "./redemption"
