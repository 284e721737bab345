export * from "./order-points"
export * from "./members"
