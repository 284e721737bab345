// Runs in jest's own process before any suite: every Medusa app a suite boots (in-process or as a child) inherits a
// telemetry-off Medusa config of the run's own, so none forks a telemetry sender or writes the user's
// ~/.config/medusa. `npm run test:v2` at the root has already set it; this covers `npm test` run inside v2/.
module.exports = async function globalSetup() {
  require("../../scripts/lib/offline-medusa.js").quietMedusaEnv(process.env)
}
