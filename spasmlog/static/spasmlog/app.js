// Fill in the browser's own time zone on sign-up, when the list knows it.
document.addEventListener("DOMContentLoaded", function () {
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (error) {
    return;
  }
  document.querySelectorAll("select[data-browser-zone]").forEach(function (select) {
    if (zone && select.querySelector('option[value="' + zone + '"]') && !select.dataset.touched) {
      select.value = zone;
    }
  });
});

// Print buttons: a script, since the Content Security Policy allows no inline handlers.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () {
      window.print();
    });
  });
});
