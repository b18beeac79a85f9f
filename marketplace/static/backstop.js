// Start GOV.UK Frontend's components (progressive enhancement only: every page works without this).
import { initAll } from './govuk/govuk-frontend.min.js'
initAll()
