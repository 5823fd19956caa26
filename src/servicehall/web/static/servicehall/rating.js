// The rating device at a window (R-FB-1, R-LAW-2), paired by a unit leader. When a visit finishes, the citizen rates it.
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
  var callbackField = document.getElementById("callback-field");  // R-LAW-2 回访: optional
  var callbackError = document.getElementById("callback-error");
  var STORE = "servicehall-ratings-" + body.dataset.device;
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
    var sent = Object.assign({}, item);
    delete sent.visit;  // kept on the device only, to ask again
    fetch(body.dataset.rateUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(sent),
      // the device's credential is its own cookie (HttpOnly, this site only); a device
      // with a staff login is refused by the server
      credentials: "same-origin",
    }).then(function (r) {
      return r.json().then(function (data) {
        if (r.ok) {
          form.hidden = true;  // rated: the prompt goes, the thanks stay
          status.textContent = body.dataset.thanks;
          status.className = "rate-status ok";
        } else if (r.status >= 400 && r.status < 500) {
          var errors = data.errors || {};
          var contact = errors.callback_phone || errors.callback_consent;
          if (contact && item.visit) {  // only the phone was wrong: ask again, keep the rest
            ask(item.visit);
            refill(item);
            callbackError.textContent = contact.join(" ");
            callbackError.hidden = false;
          } else {
            status.textContent = body.dataset.refused + " " + (data.detail || r.status);
            status.className = "rate-status bad";
          }
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
    reasonField.hidden = callbackField.hidden = callbackError.hidden = true;
    status.textContent = "";
    document.getElementById("rate-ticket").textContent = finished.ticket;
    panel.hidden = false;
  }
  function refill(item) {  // the form as the citizen filled it in
    ["overall", "efficiency", "competence", "attitude"].forEach(function (name) {
      form.querySelectorAll("[name=" + name + "]").forEach(function (el) {
        if (el.type === "radio") el.checked = Number(el.value) === item[name];
        else el.value = item[name] == null ? "" : String(item[name]);
      });
    });
    form.querySelectorAll("input[name=tags]").forEach(function (el) { el.checked = item.tags.indexOf(el.value) >= 0; });
    form.elements.reason.value = item.reason;
    form.elements.comment.value = item.comment;
    form.elements.callback_phone.value = item.callback_phone;
    form.elements.callback_consent.checked = item.callback_consent;
    update();
  }
  function update() {
    var level = Number((form.querySelector("input[name=overall]:checked") || {}).value || 0);
    // the bad-review level is the server's setting (SERVICEHALL_BAD_REVIEW_LEVEL), never a copy
    reasonField.hidden = callbackField.hidden = !(level && level <= Number(form.dataset.low));
    reasonField.querySelector("textarea").required = !reasonField.hidden;
    var phone = form.querySelector("input[name=callback_phone]");
    // a number is kept only with the citizen's consent
    form.querySelector("input[name=callback_consent]").required = !callbackField.hidden && !!phone.value.trim();
  }
  form.addEventListener("change", update);
  form.addEventListener("input", update);
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (!visit) return;
    var data = new FormData(form);
    function level(name) { return data.get(name) ? Number(data.get(name)) : null; }
    var list = pending();
    list.push({
      ticket_id: visit.id,
      overall: level("overall"),
      efficiency: level("efficiency"),
      competence: level("competence"),
      attitude: level("attitude"),
      tags: data.getAll("tags"),
      comment: data.get("comment") || "",
      reason: data.get("reason") || "",
      callback_phone: callbackField.hidden ? "" : (data.get("callback_phone") || "").trim(),
      callback_consent: !callbackField.hidden && data.get("callback_consent") === "1",
      idempotency_key: newKey(),
      visit: visit,
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
