// Start GOV.UK Frontend's components (progressive enhancement only: every page works without this).
import { initAll } from './govuk/govuk-frontend.min.js'
initAll()

// The catalogue's filters are in a "Filter sessions" details box, closed on phones so the results come first.
// On wider screens, where the filters sit beside the results, open it.
if (window.matchMedia('(min-width: 40.0625em)').matches) {
  for (const box of document.querySelectorAll('details[data-bs-open-wide]')) box.open = true
}
