// The hall view: window states follow the boards' event stream (R-Q-3).
(function () {
  var root = document.getElementById("hall");
  var labels = document.getElementById("labels").dataset;
  var base = root.dataset.events;  // the server says where its event server is
  var source = new EventSource(base + "/board/" + root.dataset.unit + "?last=" + root.dataset.last);
  function setState(d) {
    var card = root.querySelector('[data-window="' + d.window_id + '"]');
    if (!card) return null;
    var was = card.className;
    card.className = "card window-card state-" + d.state;
    card.querySelector(".state-label").textContent = labels[d.state] || d.state;
    if (d.state !== "serving") card.querySelector(".current").textContent = "";
    return was;
  }

  // A pause starts or ends: fetch the pause list again (who, why, how long, approval).
  var refreshing = null;
  function refreshPauses() {
    if (refreshing) return;
    refreshing = fetch(location.href, { credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("pauses");
        if (fresh) document.getElementById("pauses").innerHTML = fresh.innerHTML;
      })
      .catch(function () {})
      .then(function () { refreshing = null; });
  }

  source.addEventListener("window", function (e) {
    var d = JSON.parse(e.data);
    var was = setState(d);
    if (was !== null && (d.state === "paused" || was.indexOf("state-paused") >= 0)) refreshPauses();
  });
  source.addEventListener("call", function (e) {
    var d = JSON.parse(e.data);
    setState({ window_id: d.window_id, state: d.state || "serving" });
    var card = root.querySelector('[data-window="' + d.window_id + '"]');
    if (card) card.querySelector(".current").textContent = d.ticket;
  });
})();
