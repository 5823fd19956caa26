// Window console: every frequent action on a key, no page reload (ui.md).
(function () {
  var root = document.getElementById("console");
  var url = root.dataset.actionUrl;
  var csrf = (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value ||
    (document.cookie.match(/csrftoken=([^;]+)/) || [])[1] || "";
  var msg = document.getElementById("message");

  function render(s) {
    document.getElementById("status").textContent = s.status_label;
    document.getElementById("status").className = "tag " + (s.status === "paused" ? "warn" : s.status === "closed" ? "" : "ok");
    document.getElementById("ticket").textContent = s.current ? s.current.label : "—";
    document.getElementById("ticket-state").textContent = s.current ? s.current.state_label + (s.current.calls > 1 ? " ×" + s.current.calls : "") : "";
    // who is signed in, and how late by the norm, in words
    document.getElementById("who").textContent = s.staff
      ? s.staff + "（" + (s.minutes_late ? root.dataset.labelLate.replace("%s", s.minutes_late) : root.dataset.labelSignedIn) + "）"
      : "—";
    document.getElementById("sign-in").classList.toggle("secondary", !!s.staff);  // done
    var w = document.getElementById("waiting");
    w.innerHTML = "";
    Object.keys(s.waiting).forEach(function (k) {
      var li = document.createElement("li");
      // a visible label for each count: "A 队列等候：3", "转到本窗口：0"
      var label = k === "→" ? root.dataset.labelTransferred : root.dataset.labelQueue.replace("%s", k);
      li.textContent = label + "：" + s.waiting[k];
      li.dataset.queue = k;
      w.appendChild(li);
    });
    var p = document.getElementById("parked");
    p.innerHTML = "";
    s.parked.forEach(function (t) {
      var b = document.createElement("button");
      b.className = "btn small secondary";
      b.textContent = "↺ " + t.label;
      b.dataset.act = "resume_parked";
      b.dataset.ticket = t.id;
      p.appendChild(b);
    });
    var intake = document.getElementById("intake-link");
    intake.href = s.current && s.current.matter ? "/cases/new/?matter=" + s.current.matter : "/cases/";
    if (s.pause) {
      var approval = !s.pause.needs_approval ? "" : s.pause.approved ? root.dataset.labelApproved : root.dataset.labelAwaiting;
      msg.textContent = root.dataset.labelPaused + "：" + s.pause.reason + (approval ? " · " + approval : "");
    }
  }

  function act(action, data) {
    var body = new URLSearchParams(data || {});
    return fetch(url + action + "/", {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, "Accept": "application/json" },
    }).then(function (r) { return r.json(); }).then(function (res) {
      msg.textContent = res.message || "";
      msg.className = "console-message" + (res.ok ? "" : " error");
      if (res.state) render(res.state);
    }).catch(function () { msg.textContent = "⚠"; msg.className = "console-message error"; });
  }

  document.addEventListener("click", function (e) {
    var b = e.target.closest("[data-act]");
    if (!b) return;
    e.preventDefault();
    act(b.dataset.act, b.dataset.ticket ? { ticket: b.dataset.ticket } : {});
  });
  document.querySelectorAll("form[data-form]").forEach(function (f) {
    f.addEventListener("submit", function (e) {
      e.preventDefault();
      act(f.dataset.form, Object.fromEntries(new FormData(f)));
    });
  });
  var keys = { n: "call_next", r: "recall", s: "start", f: "finish", x: "no_show" };
  document.addEventListener("keydown", function (e) {
    if (e.target.closest("input, select, textarea") || e.ctrlKey || e.metaKey || e.altKey) return;
    var k = e.key.toLowerCase();
    if (keys[k]) { e.preventDefault(); act(keys[k]); }
    if (k === "p") { e.preventDefault(); document.querySelector('form[data-form="pause"] input[name=reason]').focus(); }
  });
  render(JSON.parse(root.dataset.state));
})();
