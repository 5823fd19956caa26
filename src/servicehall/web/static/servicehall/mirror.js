// 一机双屏: the intake form shows itself to the citizen's screen as it is filled in (R-Q-2).
// The server masks the ID and phone before anything reaches the screen.
(function () {
  var form = document.getElementById("intake-form");
  if (!form || !form.dataset.mirror) return;
  var timer = null;
  // one at a time: two in flight could arrive in either order and leave the citizen looking
  // at the older form; the one after the last answer carries the newest state
  var send = window.servicehallSerial(function () {
    return fetch(form.dataset.mirror, { method: "POST", body: new FormData(form), credentials: "same-origin" });
  });  // the screen is a courtesy: the intake never waits for it, nor minds its failures
  function later() {
    if (timer) clearTimeout(timer);
    timer = setTimeout(function () { timer = null; send(); }, 300);
  }
  form.addEventListener("change", later);
  form.addEventListener("input", later);
  send();
})();
