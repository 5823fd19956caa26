// The citizen's screen at one window (一机双屏, R-Q-2) on a paired rating device: this window's calls and state, and what
// is entered for the citizen, on the window's private stream. Reconnects by itself.
(function () {
  var body = document.body;
  var base = body.dataset.events;  // the server says where its event server is
  var labels = { paused: body.dataset.paused, closed: body.dataset.closed, serving: body.dataset.serving, open: body.dataset.open };
  var link = document.getElementById("link");
  function text(id, value) { document.getElementById(id).textContent = value || ""; }

  var source = new EventSource(base + "/screen/" + encodeURIComponent(body.dataset.stream) + "?last=" + body.dataset.last);
  function finished(d) {
    if (d.finished && window.servicehallRate) window.servicehallRate(d.finished);
  }
  function staff(card) {  // who serves: follows sign-in and sign-out live
    var photo = document.getElementById("staff-photo");
    var badge = document.getElementById("staff-badge");
    text("staff-name", card ? card.name : "—");
    badge.textContent = card ? badge.dataset.label + " " + card.badge : "";
    badge.hidden = !card;
    document.getElementById("staff-party").hidden = !(card && card.party);
    photo.hidden = !(card && card.photo);
    if (card && card.photo) photo.src = card.photo; else photo.removeAttribute("src");
  }
  function mirror(d) {
    text("matter", d.matter);
    text("applicant", d.applicant);
    text("id-number", d.id_number);
    text("phone", d.phone);
    text("outcome", d.outcome);
    var rows = document.getElementById("materials");
    rows.innerHTML = "";
    d.materials.forEach(function (m) {
      var tr = document.createElement("tr");
      tr.className = "material-" + (m.state || "none");
      ["name", "label", "note"].forEach(function (k) {
        var td = document.createElement("td");
        td.textContent = m[k] || (k === "label" ? "—" : "");
        tr.appendChild(td);
      });
      rows.appendChild(tr);
    });
    document.getElementById("mirror").hidden = false;
  }
  // a reload restores what the screen showed: the intake mirror and a rating not yet given
  var restored = JSON.parse(document.getElementById("screen-state").textContent);
  if (restored.mirror) mirror(restored.mirror);
  finished({ finished: restored.rate });  // rating.js loads first (both deferred)
  source.addEventListener("call", function (e) {
    var d = JSON.parse(e.data);
    finished(d);
    text("ticket", d.ticket);
    text("state", labels.serving);
    document.getElementById("mirror").hidden = true;  // a new citizen: nothing entered yet
  });
  source.addEventListener("window", function (e) {
    var d = JSON.parse(e.data);
    finished(d);
    if ("staff" in d) staff(d.staff);
    text("state", labels[d.state] || d.state);
    if (d.state !== "serving") { text("ticket", "—"); document.getElementById("mirror").hidden = true; }
  });
  source.addEventListener("screen", function (e) { mirror(JSON.parse(e.data)); });
  // the unit leader stopped this window's device: ask the server again, which shows the
  // pairing form (no rating prompt on a device whose ratings would be refused)
  source.addEventListener("unpaired", function () { location.reload(); });
  source.onopen = function () { link.classList.add("up"); };
  source.onerror = function () {
    link.classList.remove("up");
    // refused for good (the stream token aged out, or the device was revoked): the page
    // asks the server again, which gives a new token or the pairing form
    if (source.readyState === EventSource.CLOSED) setTimeout(function () { location.reload(); }, 5000);
  };
})();
