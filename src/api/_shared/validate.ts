/** The request input rules live in the core (shared with the v2 adapter); v1 routes keep importing them from here. */
export * from "../../domain/http/request-input"
