// The booking form's total, kept up to date as people are named. The server works it out the same way whenever it
// shows the form (and on the check page), so without JavaScript nothing is lost: this only saves a round trip.
const box = document.querySelector('.bs-total[data-bs-units]')
if (box) {
  const form = box.closest('form')
  const units = JSON.parse(box.dataset.bsUnits)
  const wording = JSON.parse(box.dataset.bsWording)
  // As core/money.py's format_pence: £12, £12.50, £1,200.
  const money = (pence) => {
    const pounds = '£' + Math.floor(pence / 100).toLocaleString('en-GB')
    return pence % 100 ? `${pounds}.${String(pence % 100).padStart(2, '0')}` : pounds
  }
  const update = () => {
    const choice = form.querySelector('[name=booker_for]:checked, input[type=hidden][name=booker_for]')
    const unit = choice ? units[choice.value] : undefined
    const named = [...form.querySelectorAll('input[name^="name_"]')].filter((input) => input.value.trim()).length
    const places = choice && choice.value === box.dataset.bsMyself ? 1 : Math.max(1, named)
    if (unit === undefined) {
      box.textContent = wording.unknown
    } else if (unit === 0) {
      box.textContent = wording.free
    } else {
      box.textContent = wording.priced
        .replace('{total}', money(unit * places))
        .replace('{people}', places === 1 ? '1 person' : `${places} people`)
        .replace('{unit}', money(unit))
    }
  }
  form.addEventListener('change', update)
}
