// 一机双屏: the intake form shows itself to the citizen's screen as it is filled in (R-Q-2).
// The server masks the ID and phone before anything reaches the screen.
(function () {
  var form = document.getElementById("intake-form");
  if (!form || !form.dataset.mirror) return;
  var timer = null;
  function send() {
    timer = null;
    fetch(form.dataset.mirror, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .catch(function () {});  // the screen is a courtesy: the intake never waits for it
  }
  function later() {
    if (timer) clearTimeout(timer);
    timer = setTimeout(send, 300);
  }
  form.addEventListener("change", later);
  form.addEventListener("input", later);
  send();
})();
