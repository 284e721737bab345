export * from "../../domain/http/response-schemas" // in the core so the v1 and v2 documents share one set of schemas
