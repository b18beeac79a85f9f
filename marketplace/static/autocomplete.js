// Long lists made short with GOV.UK's accessible-autocomplete (loaded before this module as a classic script, which
// sets window.accessibleAutocomplete). Progressive enhancement only: without JavaScript the page keeps a plain select,
// or a box of checkboxes, and the form posts exactly what it posts here (see marketplace/core/long_lists.py).

const autocomplete = window.accessibleAutocomplete

// One choice: <select data-module="bs-autocomplete"> becomes a text box with suggestions; the select (hidden) is
// still what the form posts. The prompt option ("Select an area", empty value) is not offered as a suggestion.
function enhanceSelect (select) {
  const optionFor = text => [...select.options].find(
    option => option.value && option.textContent.trim().toLowerCase() === (text || '').trim().toLowerCase()
  )
  const chosen = select.value ? select.options[select.selectedIndex].textContent.trim() : ''
  const id = select.id
  autocomplete.enhanceSelectElement({
    selectElement: select,
    defaultValue: chosen,
    autoselect: true,
    confirmOnBlur: true,
    showAllValues: false,
    // What the box shows is what is posted: a name from the list chooses it; anything else chooses nothing, and
    // the server answers "Select an area".
    onConfirm: text => {
      const box = document.getElementById(id)
      const option = optionFor(text) || optionFor(box && box.value)
      select.value = option ? option.value : ''
    }
  })
  const box = document.getElementById(id)
  box.addEventListener('input', () => {
    const option = optionFor(box.value)
    select.value = option ? option.value : ''
  })
}

// Any number of choices: the box of checkboxes is hidden; an "Add an area" autocomplete ticks one, and the chosen
// ones are listed with Remove buttons that untick them.
function enhancePickMany (box) {
  const fieldId = box.dataset.bsPickMany
  const inputId = `${fieldId}-autocomplete`
  const checkboxes = [...box.querySelectorAll('input[type="checkbox"]')]
  const nameOf = checkbox => box.querySelector(`label[for="${checkbox.id}"]`).textContent.trim()
  const byName = new Map(checkboxes.map(checkbox => [nameOf(checkbox), checkbox]))

  const picker = document.createElement('div')
  picker.className = 'bs-pick-many__picker'
  const label = document.createElement('label')
  label.className = 'govuk-label'
  label.htmlFor = inputId
  label.textContent = box.dataset.addLabel
  const holder = document.createElement('div')
  const chosenList = document.createElement('ul')
  chosenList.className = 'govuk-list bs-pick-many__chosen'
  const noneChosen = document.createElement('p')
  noneChosen.className = 'govuk-body bs-pick-many__none'
  noneChosen.textContent = box.dataset.noneChosen
  const status = document.createElement('div')
  status.className = 'govuk-visually-hidden'
  status.setAttribute('role', 'status')
  picker.append(label, holder, chosenList, noneChosen, status)
  box.after(picker)
  box.hidden = true

  function show () {
    chosenList.replaceChildren(...checkboxes.filter(checkbox => checkbox.checked).map(checkbox => {
      const item = document.createElement('li')
      const name = document.createElement('span')
      name.textContent = nameOf(checkbox)
      const remove = document.createElement('button')
      remove.type = 'button'
      remove.className = 'bs-link-button'
      remove.append('Remove')
      const which = document.createElement('span')
      which.className = 'govuk-visually-hidden'
      which.textContent = ` ${nameOf(checkbox)}`
      remove.append(which)
      remove.addEventListener('click', () => {
        checkbox.checked = false
        show()
        status.textContent = `${nameOf(checkbox)} removed`
        document.getElementById(inputId).focus()
      })
      item.append(name, ' ', remove)
      return item
    }))
    noneChosen.hidden = checkboxes.some(checkbox => checkbox.checked)
  }

  autocomplete({
    element: holder,
    id: inputId,
    name: '', // not posted: the ticked checkboxes are
    source: (query, populate) => {
      const typed = query.trim().toLowerCase()
      const open = [...byName.keys()].filter(name => !byName.get(name).checked && name.toLowerCase().includes(typed))
      const starts = open.filter(name => name.toLowerCase().startsWith(typed))
      populate([...starts, ...open.filter(name => !starts.includes(name))])
    },
    autoselect: true,
    confirmOnBlur: false,
    templates: { inputValue: () => '', suggestion: name => name || '' },
    onConfirm: name => {
      const checkbox = name && byName.get(name)
      if (!checkbox) return
      checkbox.checked = true
      show()
      status.textContent = `${name} added`
    }
  })
  // The error summary links to the first checkbox, now hidden: link to the autocomplete instead.
  for (const link of document.querySelectorAll(`.govuk-error-summary a[href="#${checkboxes[0] && checkboxes[0].id}"]`)) {
    link.setAttribute('href', `#${inputId}`)
  }
  show()
}

if (autocomplete) {
  for (const select of document.querySelectorAll('select[data-module="bs-autocomplete"]')) enhanceSelect(select)
  for (const box of document.querySelectorAll('[data-bs-pick-many]')) enhancePickMany(box)
}
