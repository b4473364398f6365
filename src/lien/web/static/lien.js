// lien dashboard: small progressive enhancements only; every page works without this file.
document.addEventListener("DOMContentLoaded", function () {
  // filters apply as soon as a list changes
  document.querySelectorAll("select.autosubmit").forEach(function (s) {
    s.addEventListener("change", function () { s.form.submit(); });
  });
  // confirm destructive forms
  document.querySelectorAll("form.confirm").forEach(function (f) {
    f.addEventListener("submit", function (e) {
      if (!window.confirm(f.dataset.confirm || "?")) { e.preventDefault(); }
    });
  });
});
