export * from "../../domain/http/route-docs" // in the core so the v1 and v2 route files document themselves with one copy
