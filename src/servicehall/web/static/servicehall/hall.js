// The hall view: window states follow the boards' event stream (R-Q-3).
(function () {
  var root = document.getElementById("hall");
  var labels = document.getElementById("labels").dataset;
  var base = root.dataset.events;  // the server says where its event server is
  var source = new EventSource(base + "/board/" + root.dataset.unit + "?last=" + root.dataset.last);
  function setState(d) {
    var card = root.querySelector('[data-window="' + d.window_id + '"]');
    if (!card) return;
    card.className = "card window-card state-" + d.state;
    card.querySelector(".state-label").textContent = labels[d.state] || d.state;
    if (d.state !== "serving") card.querySelector(".current").textContent = "";
  }

  // A window signs in or out, pauses or resumes: fetch the cards (who, since when, the
  // sign-in norm) and the pause list (why, how long, approval) again.
  var refresh = window.servicehallSerial(function () {  // nothing is missed, nothing repainted stale
    return fetch(location.href, { credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        ["hall", "pauses"].forEach(function (id) {
          var part = fresh.getElementById(id);
          if (part) document.getElementById(id).innerHTML = part.innerHTML;
        });
      });
  });

  source.addEventListener("window", function (e) {
    var d = JSON.parse(e.data);
    setState(d);  // at once; the details follow
    refresh();
  });
  source.addEventListener("call", function (e) {
    var d = JSON.parse(e.data);
    setState({ window_id: d.window_id, state: d.state || "serving" });
    var card = root.querySelector('[data-window="' + d.window_id + '"]');
    if (card) card.querySelector(".current").textContent = d.ticket;
    // A fetch begun before this call would paint the card without it: fetch once more after.
    refresh.again();
  });
})();
