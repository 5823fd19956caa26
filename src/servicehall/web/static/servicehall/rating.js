// The rating device at a window (R-FB-1, R-LAW-2). When a visit finishes, the citizen rates it.
// Nothing acknowledged is lost: each rating gets its idempotency key, waits in localStorage and
// is sent again until the server confirms it (after commit); a retry of a stored rating gets
// the same rating back, so a repeat never counts twice.
(function () {
  var body = document.body;
  var panel = document.getElementById("rate");
  if (!panel) return;
  var form = document.getElementById("rate-form");
  var status = document.getElementById("rate-status");
  var reasonField = document.getElementById("reason-field");
  var STORE = "servicehall-ratings-" + body.dataset.key.slice(0, 12);
  var visit = null;

  function pending() {
    try { return JSON.parse(localStorage.getItem(STORE) || "[]"); } catch (e) { return []; }
  }
  function keep(list) { localStorage.setItem(STORE, JSON.stringify(list)); }
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID().replace(/-/g, "");
    return String(Date.now()) + Math.random().toString(16).slice(2);
  }

  var sending = false;
  function flush() {
    var list = pending();
    if (sending || !list.length) return;
    sending = true;
    var item = list[0];
    fetch(body.dataset.rateUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(item),
      credentials: "omit",  // the device rates as a citizen, never as a logged-in member of staff
    }).then(function (r) {
      return r.json().then(function (data) {
        if (r.ok) {
          form.hidden = true;  // rated: the prompt goes, the thanks stay
          status.textContent = body.dataset.thanks;
          status.className = "rate-status ok";
        } else if (r.status >= 400 && r.status < 500) {
          status.textContent = body.dataset.refused + " " + (data.detail || r.status);
          status.className = "rate-status bad";
        } else {
          throw new Error("server " + r.status);  // try again later
        }
        keep(pending().filter(function (p) { return p.idempotency_key !== item.idempotency_key; }));
      });
    }).catch(function () {
      status.textContent = body.dataset.sending;
      status.className = "rate-status wait";
    }).then(function () {
      sending = false;
      if (pending().length && navigator.onLine !== false) setTimeout(flush, 300);
    });
  }
  setInterval(flush, 2000);
  window.addEventListener("online", flush);

  function ask(finished) {
    visit = finished;
    form.reset();
    form.hidden = false;
    reasonField.hidden = true;
    status.textContent = "";
    document.getElementById("rate-ticket").textContent = finished.ticket;
    panel.hidden = false;
  }
  form.addEventListener("change", function () {
    var level = Number((form.querySelector("input[name=overall]:checked") || {}).value || 0);
    reasonField.hidden = !(level && level <= 2);
    reasonField.querySelector("textarea").required = !reasonField.hidden;
  });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (!visit) return;
    var data = new FormData(form);
    function level(name) { return data.get(name) ? Number(data.get(name)) : null; }
    var list = pending();
    list.push({
      device_key: body.dataset.key,
      ticket_id: visit.id,
      overall: level("overall"),
      efficiency: level("efficiency"),
      competence: level("competence"),
      attitude: level("attitude"),
      tags: data.getAll("tags"),
      comment: data.get("comment") || "",
      reason: data.get("reason") || "",
      idempotency_key: newKey(),
    });
    keep(list);
    visit = null;
    form.reset();
    status.textContent = body.dataset.sending;
    status.className = "rate-status wait";
    flush();
  });

  // screen.js passes on every event that names a finished visit
  window.servicehallRate = ask;
  flush();  // what an earlier page left unsent
})();
