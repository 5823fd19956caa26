// The hotline seat (R-FB-5): ring timers that turn red after three rings (15 s), the script of
// the kind chosen, and keys: R ringing, A answer, Ctrl+Enter save.
(function () {
  var root = document.getElementById("hotline");
  if (!root) return;
  var within = parseInt(root.dataset.within, 10) || 15;
  var offset = Date.parse(root.dataset.now) - Date.now(); // the server's clock, not the PC's

  function tick() {
    document.querySelectorAll("[data-rang-at]").forEach(function (row) {
      var s = Math.max(0, Math.floor((Date.now() + offset - Date.parse(row.dataset.rangAt)) / 1000));
      var t = row.querySelector("[data-timer]");
      t.textContent = s + " s";
      t.classList.toggle("over", s > within);
    });
  }
  tick();
  setInterval(tick, 1000);

  var form = document.getElementById("call-form");
  if (form) {
    var sync = function () {
      var kind = (form.querySelector("input[name=kind]:checked") || {}).value || "";
      var outcome = (form.querySelector("input[name=outcome]:checked") || {}).value || "";
      var complaint = document.getElementById("complaint");
      if (complaint && kind === "complaint") complaint.open = true;
      document.querySelectorAll("[data-script]").forEach(function (d) {
        d.classList.toggle("on", d.dataset.script === kind);
      });
      var referral = document.getElementById("referral");
      if (referral) referral.hidden = outcome !== "referred";
    };
    form.addEventListener("change", sync);
    sync();
    form.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); form.requestSubmit(); }
    });
  }

  document.addEventListener("keydown", function (e) {
    if (e.target.closest("input, select, textarea") || e.ctrlKey || e.metaKey || e.altKey) return;
    var k = e.key.toLowerCase();
    if (k === "r") { e.preventDefault(); document.getElementById("ring-form").requestSubmit(); }
    if (k === "a") {
      var b = document.querySelector("[data-answer]");
      if (b) { e.preventDefault(); b.closest("form").requestSubmit(); }
    }
  });
})();
