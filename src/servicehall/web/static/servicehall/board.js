// Display board: live calls and window states over Server-Sent Events (R-Q-2).
// EventSource reconnects by itself and sends Last-Event-ID, so nothing is missed.
(function () {
  var body = document.body;
  var unit = body.dataset.unit;
  var last = body.dataset.last || "0";
  var base = body.dataset.events;  // the server says where its event server is
  var speak = false;
  var speakButton = document.getElementById("speak");
  speakButton.addEventListener("click", function () {
    speak = !speak;
    speakButton.setAttribute("aria-pressed", speak ? "true" : "false");
  });
  var link = document.getElementById("link");
  var calls = document.getElementById("calls");
  var labels = { paused: body.dataset.paused, closed: body.dataset.closed, serving: body.dataset.serving, open: body.dataset.open };

  function say(text) {
    if (!speak || !window.speechSynthesis) return;
    var u = new SpeechSynthesisUtterance(text);
    u.lang = "zh-CN";
    window.speechSynthesis.speak(u);
  }

  function onCall(e) {
    var d = JSON.parse(e.data);
    var empty = calls.querySelector(".empty");
    if (empty) empty.remove();
    calls.querySelectorAll(".latest").forEach(function (li) { li.classList.remove("latest"); });
    var li = document.createElement("li");
    li.className = "latest";
    var text = body.dataset.callText.replace("{ticket}", d.ticket).replace("{window}", d.window);
    li.innerHTML = "<b></b> → <span></span>";
    li.querySelector("b").textContent = d.ticket;
    li.querySelector("span").textContent = body.dataset.windowLabel.replace("{n}", d.window);
    li.dataset.ticket = d.ticket;
    calls.insertBefore(li, calls.firstChild);
    while (calls.children.length > 8) calls.removeChild(calls.lastChild);
    say(text);
    if (d.state) setWindow(d);  // a call also says the window is serving now
  }

  function onWindow(e) {
    setWindow(JSON.parse(e.data));
  }

  function setWindow(d) {
    var li = document.querySelector('[data-window="' + d.window_id + '"]');
    if (!li) return;
    li.className = "state-" + d.state;
    li.querySelector(".state").textContent = labels[d.state] || d.state;
  }

  var source = new EventSource(base + "/board/" + unit + "?last=" + last);
  source.addEventListener("call", onCall);
  source.addEventListener("recall", onCall);
  source.addEventListener("window", onWindow);
  source.onopen = function () { link.classList.add("up"); };
  source.onerror = function () { link.classList.remove("up"); };

  var clock = document.getElementById("clock");
  // the hall runs on Beijing time, whatever time zone the display computer was set to
  setInterval(function () { clock.textContent = new Date().toLocaleTimeString("zh-CN", { hour12: false, timeZone: document.body.dataset.timeZone || undefined }); }, 1000);
})();
