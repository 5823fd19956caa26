// 大字模式: a large-text switch on every page, remembered on this device.
(function () {
  var KEY = "servicehall.largeText";
  function apply(on) {
    document.documentElement.classList.toggle("large-text", on);
    document.querySelectorAll("[data-large-text]").forEach(function (b) {
      b.setAttribute("aria-pressed", on ? "true" : "false");
    });
  }
  var on = false;
  try { on = localStorage.getItem(KEY) === "1"; } catch (e) {}
  apply(on);
  // the menu on a phone: the button opens and closes the navigation
  document.addEventListener("click", function (ev) {
    var t = ev.target.closest("[data-nav-toggle]");
    if (!t) return;
    var nav = document.getElementById(t.getAttribute("aria-controls"));
    var open = !nav.classList.contains("open");
    nav.classList.toggle("open", open);
    t.setAttribute("aria-expanded", open ? "true" : "false");
  });
  // no inline handlers (the Content-Security-Policy allows none): print buttons and selects
  // that submit their form on change say so in a data attribute
  document.addEventListener("click", function (ev) {
    if (ev.target.closest("[data-print]")) window.print();
  });
  document.addEventListener("click", function (ev) {  // "back": the page before, else home
    if (ev.target.closest("[data-back]") && history.length > 1) { ev.preventDefault(); history.back(); }
  });
  document.addEventListener("change", function (ev) {
    if (ev.target.matches("[data-autosubmit]")) ev.target.form.submit();
  });
  document.addEventListener("click", function (ev) {
    var b = ev.target.closest("[data-large-text]");
    if (!b) return;
    on = !on;
    try { localStorage.setItem(KEY, on ? "1" : "0"); } catch (e) {}
    apply(on);
  });
  document.addEventListener("submit", function (ev) {
    var msg = ev.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) ev.preventDefault();
  });
})();

// One at a time, the last word kept: serial(task) gives a function that runs task (which
// returns a promise) now or, while a run is under way, once more after it, however often it
// was asked meanwhile. Its .again() asks for that one more only if a run is under way.
window.servicehallSerial = function (task) {
  var running = false, again = false;
  function run() {
    if (running) { again = true; return; }
    running = true;
    Promise.resolve().then(task).catch(function () {}).then(function () {
      running = false;
      if (again) { again = false; run(); }
    });
  }
  run.again = function () { if (running) again = true; };
  return run;
};
