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
  // an action is sent once: its buttons wait, with a word on what is going on (a merge
  // re-scores the community, which takes seconds on a large one; a second click would
  // send it again)
  document.querySelectorAll("form[method=post]").forEach(function (f) {
    f.addEventListener("submit", function (e) {
      if (e.defaultPrevented) { return; }
      if (f.dataset.sent) { e.preventDefault(); return; }
      f.dataset.sent = "1";
      document.body.classList.add("busy");
      f.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
      var note = document.createElement("span");
      note.className = "busy-note";
      note.setAttribute("role", "status");
      note.textContent = f.dataset.busy || document.body.dataset.busy || "…";
      f.appendChild(note);
    });
  });
  // back to a page whose action was sent (the browser's page cache): usable again
  window.addEventListener("pageshow", function (e) {
    if (!e.persisted) { return; }
    document.body.classList.remove("busy");
    document.querySelectorAll("form[data-sent]").forEach(function (f) {
      delete f.dataset.sent;
      f.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
      f.querySelectorAll(".busy-note").forEach(function (n) { n.remove(); });
    });
  });
});
