// The citizen's screen at one window (一机双屏, R-Q-2): this window's calls and state, and what
// is entered for the citizen, on the window's private stream. Reconnects by itself.
(function () {
  var body = document.body;
  var base = body.dataset.events;  // the server says where its event server is
  var labels = { paused: body.dataset.paused, closed: body.dataset.closed, serving: body.dataset.serving, open: body.dataset.open };
  var link = document.getElementById("link");
  function text(id, value) { document.getElementById(id).textContent = value || ""; }

  var source = new EventSource(base + "/screen/" + encodeURIComponent(body.dataset.key) + "?last=" + body.dataset.last);
  function finished(d) {
    if (d.finished && window.servicehallRate) window.servicehallRate(d.finished);
  }
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
    text("state", labels[d.state] || d.state);
    if (d.state !== "serving") { text("ticket", "—"); document.getElementById("mirror").hidden = true; }
  });
  source.addEventListener("screen", function (e) {
    var d = JSON.parse(e.data);
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
  });
  source.onopen = function () { link.classList.add("up"); };
  source.onerror = function () { link.classList.remove("up"); };
})();
