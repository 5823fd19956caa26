// The hall view: window states follow the boards' event stream (R-Q-3).
(function () {
  var root = document.getElementById("hall");
  var labels = document.getElementById("labels").dataset;
  var base = root.dataset.events;
  if (!base) {
    var port = location.port ? String(Number(location.port) + 1) : "8001";
    base = location.protocol + "//" + location.hostname + ":" + port + "/events";
  }
  var source = new EventSource(base + "/board/" + root.dataset.unit + "?last=" + root.dataset.last);
  source.addEventListener("window", function (e) {
    var d = JSON.parse(e.data);
    var card = root.querySelector('[data-window="' + d.window_id + '"]');
    if (!card) return;
    card.className = "card window-card state-" + d.state;
    card.querySelector(".state-label").textContent = labels[d.state] || d.state;
  });
})();
