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

// The summary's period form shows only the days its chosen option uses; a hidden day is
// cleared before the form is sent, so nothing typed is quietly ignored. Without scripts
// every field shows, and a day the option does not use is refused next to the field.
document.addEventListener("DOMContentLoaded", function () {
  var uses = { since: "since", start: "range", end: "range" };
  document.querySelectorAll(".summary-form").forEach(function (form) {
    var fields = function () {
      var checked = form.querySelector("input[name=period]:checked");
      var period = checked ? checked.value : "90";
      return Object.keys(uses).map(function (name) {
        return { wrapper: form.querySelector("#div_id_" + name), input: form.querySelector("#id_" + name), shown: uses[name] === period };
      }).filter(function (field) {
        return field.wrapper && field.input;
      });
    };
    var show = function () {
      fields().forEach(function (field) {
        field.wrapper.hidden = !field.shown && !field.input.classList.contains("is-invalid");
      });
    };
    form.addEventListener("change", show);
    form.addEventListener("submit", function () {
      fields().forEach(function (field) {
        if (!field.shown) {
          field.input.value = "";
        }
      });
    });
    show();
  });
});
