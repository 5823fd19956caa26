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
