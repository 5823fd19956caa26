/* The inspector's phone form (R-SUP-2). Works with no signal: the page is kept by the service
   worker (sw.js), every draft in IndexedDB, each change saved at once; a finished draft is
   sent to the sync endpoint whenever the phone is online, retried with backoff, and a second
   send of the same draft (its key) stores nothing new on the server. */
"use strict";

(function () {
  const F = JSON.parse(document.getElementById("visit-form").textContent);
  const L = JSON.parse(document.getElementById("visit-labels").textContent);
  const $ = (sel, root) => (root || document).querySelector(sel);
  const fill = (text, values) => text.replace(/%\((\w+)\)s/g, (_m, k) => String(values[k]));

  const units = new Map(F.units.map((u) => [u.id, u]));
  const versions = new Map(F.versions.map((v) => [v.id, v]));
  const seconds = new Map(F.second_inspectors.map((s) => [s.id, s]));

  // ---- IndexedDB: drafts (by key) and their photos (by name) -------------------------------
  let dbPromise = null;
  function db() {
    if (!dbPromise) {
      dbPromise = new Promise((resolve, reject) => {
        const open = indexedDB.open("servicehall-visits", 1);
        open.onupgradeneeded = () => {
          open.result.createObjectStore("drafts", { keyPath: "key" });
          open.result.createObjectStore("photos", { keyPath: "name" });
        };
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
    }
    return dbPromise;
  }
  function run(store, mode, act) {
    return db().then(
      (d) =>
        new Promise((resolve, reject) => {
          const t = d.transaction(store, mode);
          const request = act(t.objectStore(store));
          let out;
          if (request) request.onsuccess = () => (out = request.result);
          t.oncomplete = () => resolve(out);
          t.onerror = () => reject(t.error);
          t.onabort = () => reject(t.error);
        })
    );
  }
  const put = (store, value) => run(store, "readwrite", (s) => s.put(value));
  const get = (store, key) => run(store, "readonly", (s) => s.get(key));
  const remove = (store, key) => run(store, "readwrite", (s) => s.delete(key));
  const all = (store) => run(store, "readonly", (s) => s.getAll());

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16)); // a page served over plain http
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  const local = new Intl.DateTimeFormat("zh-CN", {
    timeZone: F.time_zone || undefined,
    year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hour12: false,
  });
  function when(iso) {
    const p = Object.fromEntries(local.formatToParts(new Date(iso)).map((x) => [x.type, x.value]));
    return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
  }
  function option(select, value, text) {
    const o = document.createElement("option");
    o.value = value;
    o.textContent = text;
    select.append(o);
    return o;
  }
  function staffText(p) {
    return p.badge ? `${p.name}（${p.badge}）` : p.name;
  }
  function describe(d) {
    const u = units.get(d.unit);
    const w = u && u.windows.find((x) => x.id === d.window);
    const s = u && u.staff.find((x) => x.id === d.staff);
    return [L.kinds[d.kind], u ? u.name : "", w ? fill(L.window, { n: w.number }) : "", s ? s.name : ""]
      .filter(Boolean)
      .join(" · ");
  }

  // ---- the start form --------------------------------------------------------------------
  const start = $("#start");
  const pick = (name) => start.elements[name];
  for (const u of F.units) option(pick("unit"), u.id, u.name);
  for (const v of F.versions) option(pick("version"), v.id, `${v.name} v${v.number}`);

  function unitChanged() {
    const u = units.get(Number(pick("unit").value));
    for (const name of ["window", "staff"]) pick(name).length = 1;
    if (!u) return;
    for (const w of u.windows) option(pick("window"), w.id, `${fill(L.window, { n: w.number })} ${w.function}`);
    staffFor(u, null);
    if (u.version) pick("version").value = String(u.version);
  }
  function staffFor(u, windowId) {
    const select = pick("staff");
    const was = select.value;
    select.length = 1;
    const people = windowId ? u.staff.filter((p) => p.window === windowId).concat(u.staff.filter((p) => p.window !== windowId)) : u.staff;
    for (const p of people) option(select, p.id, staffText(p));
    select.value = was;
  }
  pick("unit").addEventListener("change", unitChanged);
  pick("window").addEventListener("change", () => {
    const u = units.get(Number(pick("unit").value));
    const w = u && u.windows.find((x) => x.id === Number(pick("window").value));
    if (!u) return;
    staffFor(u, w ? w.id : null);
    pick("version").value = String((w && w.version) || u.version || pick("version").value);
  });

  start.addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = $("#start-error");
    const unit = Number(pick("unit").value);
    const version = Number(pick("version").value);
    error.hidden = true;
    if (!units.has(unit) || !versions.has(version)) {
      error.textContent = units.has(unit) ? L.start_version : L.start_unit;
      error.hidden = false;
      return;
    }
    const d = {
      key: newKey(),
      inspector: F.me,
      kind: start.querySelector("input[name=kind]:checked").value,
      unit,
      window: Number(pick("window").value) || null,
      staff: Number(pick("staff").value) || null,
      version,
      place: pick("place").value.trim(),
      visited_at: new Date().toISOString(),
      note: "",
      second_on: false,
      second_inspector: null,
      verdicts: {},
      second: {},
      photos: [],
      status: "open",
      errors: null,
      attempts: 0,
    };
    await save(d);
    start.reset();
    unitChanged();
    edit(d.key);
  });

  // ---- drafts ----------------------------------------------------------------------------
  let current = null; // the draft being edited

  async function save(d) {
    d.updated = new Date().toISOString();
    await put("drafts", d);
  }
  async function mine() {
    const drafts = await all("drafts");
    return drafts.filter((d) => d.inspector === F.me).sort((a, b) => (a.visited_at < b.visited_at ? 1 : -1));
  }

  async function showList() {
    current = null;
    $("#editor").hidden = true;
    $("#list").hidden = false;
    const drafts = await mine();
    const open = $("#drafts");
    const done = $("#synced");
    open.replaceChildren();
    done.replaceChildren();
    for (const d of drafts) {
      const li = document.createElement("li");
      li.dataset.key = d.key;
      li.dataset.status = d.status;
      const what = document.createElement("span");
      what.className = "what";
      what.textContent = `${describe(d)} · ${when(d.visited_at)}`;
      const tag = document.createElement("span");
      tag.className = `tag ${d.status === "synced" ? "ok" : d.status === "open" ? "" : d.status === "ready" ? "warn" : "bad"}`;
      tag.textContent = L.states[d.status];
      li.append(what, tag);
      if (d.status === "synced") {
        const a = document.createElement("a");
        a.href = d.url;
        a.className = "code";
        a.textContent = fill(L.inspection, { n: d.number });
        li.append(a);
        done.append(li);
        continue;
      }
      if (d.status === "open" || d.status === "rejected") {
        const b = document.createElement("button");
        b.type = "button";
        b.className = "btn small";
        b.textContent = d.status === "open" ? L.continue : L.correct;
        b.addEventListener("click", () => edit(d.key));
        li.append(b);
      }
      if (d.errors) {
        const ul = document.createElement("ul");
        ul.className = "errorlist";
        for (const messages of Object.values(d.errors)) {
          for (const m of messages) {
            const e = document.createElement("li");
            e.textContent = m;
            ul.append(e);
          }
        }
        li.append(ul);
      }
      open.append(li);
    }
    for (const list of [open, done]) {
      if (!list.children.length) {
        const li = document.createElement("li");
        li.className = "muted";
        li.textContent = L.none;
        list.append(li);
      }
    }
    counts(drafts);
  }

  function counts(drafts) {
    const waiting = drafts.filter((d) => d.status === "ready").length;
    const el = $("#waiting");
    el.textContent = fill(L.waiting, { n: waiting });
    el.hidden = !waiting;
  }

  // ---- the editor ------------------------------------------------------------------------
  const editor = $("#editor");
  const card = $("#item-card");

  async function edit(key) {
    const d = await get("drafts", key);
    if (!d) return showList();
    if (d.status === "rejected") d.status = "open";
    current = d;
    const v = versions.get(d.version);
    const u = units.get(d.unit);
    $("#list").hidden = true;
    editor.hidden = false;
    $("#ed-title").textContent = describe(d);
    $("#ed-facts").textContent = [when(d.visited_at), d.place, v ? `${v.name} v${v.number}` : ""].filter(Boolean).join(" · ");
    $("#ed-note").value = d.note || "";
    const second = $("#ed-second");
    second.length = 1;
    for (const s of seconds.values()) option(second, s.id, staffText(s));
    second.value = d.second_inspector ? String(d.second_inspector) : "";
    $("#ed-second-on").checked = !!d.second_on;
    $("#ed-second-field").hidden = !d.second_on;
    $("#ed-problems").hidden = true;
    const items = $("#items");
    items.replaceChildren();
    for (const item of v ? v.items : []) items.append(await itemCard(d, item, u));
    progress();
    window.scrollTo(0, 0);
  }

  async function itemCard(d, item, u) {
    const el = card.content.firstElementChild.cloneNode(true);
    el.dataset.item = item.id;
    $(".code", el).textContent = item.code;
    $(".title", el).textContent = item.title;
    $(".pts", el).textContent = fill(L.points, { n: item.points });
    $(".crit", el).hidden = !item.critical;
    $(".source", el).textContent = item.source;
    $(".text", el).textContent = item.text;
    $(".category", el).textContent = item.category;
    $(".need", el).textContent = L.need[item.evidence] || "";
    const staff = $("[data-field=staff]", el);
    for (const p of u ? u.staff : []) option(staff, p.id, staffText(p));
    const lead = d.verdicts[item.id] || {};
    $("[data-field=note]", el).value = lead.note || "";
    staff.value = lead.staff ? String(lead.staff) : d.staff ? String(d.staff) : "";
    paint(el, d, item);
    for (const p of d.photos.filter((x) => x.item === item.id)) await thumb(el, p);

    el.addEventListener("click", async (event) => {
      const b = event.target.closest("button");
      if (!b) return;
      if (b.dataset.verdict) {
        const row = (d.verdicts[item.id] = d.verdicts[item.id] || {});
        row.verdict = b.dataset.verdict;
        if (row.verdict === "deduct" && row.staff === undefined) row.staff = Number(staff.value) || null;
      } else if (b.dataset.second) {
        d.second[item.id] = { verdict: b.dataset.second };
      } else return;
      paint(el, d, item);
      progress();
      await save(d);
    });
    el.addEventListener("input", async (event) => {
      const field = event.target.dataset.field;
      if (field !== "note" && field !== "staff") return;
      const row = (d.verdicts[item.id] = d.verdicts[item.id] || {});
      row[field] = field === "staff" ? Number(event.target.value) || null : event.target.value;
      await save(d);
    });
    $("[data-field=photo]", el).addEventListener("change", async (event) => {
      const input = event.target;
      for (const file of Array.from(input.files || [])) {
        const error = $(".need", el);
        if (d.photos.filter((x) => x.item === item.id).length >= F.photos_per_item) {
          error.textContent = fill(L.photo_many, { n: F.photos_per_item });
          break;
        }
        if (file.size > F.photo_max_bytes) {
          error.textContent = fill(L.photo_big, { mb: Math.floor(F.photo_max_bytes / 1048576) });
          continue;
        }
        const p = { item: item.id, name: `photo-${newKey()}` };
        await put("photos", { name: p.name, draft: d.key, blob: file, filename: file.name || `${p.name}.jpg` });
        d.photos.push(p);
        await save(d);
        await thumb(el, p);
      }
      input.value = "";
    });
    return el;
  }

  function paint(el, d, item) {
    const lead = (d.verdicts[item.id] || {}).verdict;
    for (const b of el.querySelectorAll("[data-verdict]")) b.setAttribute("aria-pressed", String(b.dataset.verdict === lead));
    const other = (d.second[item.id] || {}).verdict;
    for (const b of el.querySelectorAll("[data-second]")) b.setAttribute("aria-pressed", String(b.dataset.second === other));
    el.classList.remove("judged-pass", "judged-deduct", "judged-na");
    if (lead) el.classList.add(`judged-${lead}`);
    $(".deduction", el).hidden = lead !== "deduct";
    const s = $(".second", el);
    s.hidden = !d.second_on;
    const who = seconds.get(d.second_inspector);
    $(".second-label", el).textContent = fill(L.second, { name: who ? who.name : "—" });
  }

  async function thumb(el, p) {
    const rec = await get("photos", p.name);
    if (!rec) return;
    const fig = document.createElement("figure");
    const img = document.createElement("img");
    img.alt = $(".code", el).textContent;
    try {
      // a small copy drawn from the Blob (the policy allows data: images, not blob: ones)
      const bitmap = await createImageBitmap(rec.blob);
      const canvas = document.createElement("canvas");
      const scale = 192 / Math.max(bitmap.width, bitmap.height, 1);
      canvas.width = Math.max(1, Math.round(bitmap.width * Math.min(1, scale)));
      canvas.height = Math.max(1, Math.round(bitmap.height * Math.min(1, scale)));
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      img.src = canvas.toDataURL("image/jpeg", 0.8);
    } catch (_e) {
      img.alt = `${img.alt} ${rec.filename}`;
    }
    const drop = document.createElement("button");
    drop.type = "button";
    drop.className = "btn small secondary";
    drop.textContent = L.photo_remove;
    drop.addEventListener("click", async () => {
      const d = current;
      d.photos = d.photos.filter((x) => x.name !== p.name);
      await save(d);
      await remove("photos", p.name);
      fig.remove();
    });
    fig.append(img, drop);
    $(".thumbs", el).append(fig);
  }

  function progress() {
    const d = current;
    const v = versions.get(d.version);
    const total = v ? v.items.length : 0;
    const done = v ? v.items.filter((i) => d.verdicts[i.id] && d.verdicts[i.id].verdict).length : 0;
    $("#ed-progress").textContent = fill(L.progress, { done, all: total });
  }

  $("#ed-note").addEventListener("input", async (event) => {
    current.note = event.target.value;
    await save(current);
  });
  $("#ed-second-on").addEventListener("change", async (event) => {
    current.second_on = event.target.checked;
    $("#ed-second-field").hidden = !current.second_on;
    await save(current);
    repaint();
  });
  $("#ed-second").addEventListener("change", async (event) => {
    current.second_inspector = Number(event.target.value) || null;
    await save(current);
    repaint();
  });
  function repaint() {
    const v = versions.get(current.version);
    for (const el of document.querySelectorAll("#items .norm")) {
      paint(el, current, v.items.find((i) => i.id === Number(el.dataset.item)));
    }
  }
  $("#back").addEventListener("click", () => showList());
  $("#discard").addEventListener("click", async () => {
    if (!window.confirm(L.discard)) return;
    for (const p of current.photos) await remove("photos", p.name);
    await remove("drafts", current.key);
    showList();
  });

  function problems(d) {
    const v = versions.get(d.version);
    const out = [];
    for (const item of v ? v.items : []) {
      const row = d.verdicts[item.id] || {};
      if (!row.verdict) out.push(fill(L.problem_judge, { code: item.code }));
      else if (row.verdict === "deduct" && item.evidence === "photo" && !d.photos.some((p) => p.item === item.id)) {
        out.push(fill(L.problem_photo, { code: item.code }));
      } else if (row.verdict === "deduct" && item.evidence === "note" && !(row.note || "").trim()) {
        out.push(fill(L.problem_note, { code: item.code }));
      }
    }
    if (d.second_on) {
      if (!d.second_inspector) out.push(L.problem_second);
      for (const item of v ? v.items : []) {
        if (!(d.second[item.id] || {}).verdict) out.push(fill(L.problem_second_judge, { code: item.code }));
      }
    }
    return out;
  }

  $("#finish").addEventListener("click", async () => {
    const d = current;
    const found = problems(d);
    const list = $("#ed-problems");
    list.replaceChildren();
    if (found.length) {
      for (const m of found) {
        const li = document.createElement("li");
        li.textContent = m;
        list.append(li);
      }
      list.hidden = false;
      list.scrollIntoView({ block: "center" });
      return;
    }
    d.status = "ready";
    d.errors = null;
    d.attempts = 0;
    await save(d);
    await showList();
    syncSoon(0);
  });

  // ---- sync ------------------------------------------------------------------------------
  let timer = null;
  let busy = false;

  function csrf() {
    const cookie = document.cookie.split("; ").find((c) => c.startsWith(`${F.csrf_cookie}=`));
    if (cookie) return decodeURIComponent(cookie.slice(F.csrf_cookie.length + 1));
    const field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function payload(d) {
    const deducted = (id) => (d.verdicts[id] || {}).verdict === "deduct";
    return {
      key: d.key,
      kind: d.kind,
      unit: d.unit,
      window: d.window,
      staff: d.staff,
      version: d.version,
      place: d.place,
      visited_at: d.visited_at,
      note: d.note,
      second_inspector: d.second_on ? d.second_inspector : null,
      verdicts: Object.entries(d.verdicts).filter(([, r]) => r.verdict).map(([item, r]) => ({
        item: Number(item),
        verdict: r.verdict,
        note: r.note || "",
        staff: r.verdict === "deduct" ? r.staff || null : null,
      })),
      second_verdicts: d.second_on
        ? Object.entries(d.second).filter(([, r]) => r.verdict).map(([item, r]) => ({ item: Number(item), verdict: r.verdict }))
        : [],
      photos: d.photos.filter((p) => deducted(p.item)).map((p) => ({ item: p.item, name: p.name })),
    };
  }

  // One draft: "done", "rejected", "refused", or a number of seconds to wait before again.
  async function send(d) {
    const body = new FormData();
    const data = payload(d);
    body.append("draft", JSON.stringify(data));
    for (const p of data.photos) {
      const rec = await get("photos", p.name);
      if (rec) body.append(p.name, rec.blob, rec.filename);
    }
    let response;
    try {
      response = await fetch(F.sync_url, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrf(), Accept: "application/json" },
      });
    } catch (_e) {
      return null; // no network after all
    }
    const json = (response.headers.get("Content-Type") || "").startsWith("application/json");
    const answer = json ? await response.json() : null;
    if ((response.status === 201 || response.status === 200) && answer) {
      d.status = "synced";
      d.number = answer.number;
      d.url = answer.url;
      d.errors = null;
      await save(d);
      for (const p of d.photos) await remove("photos", p.name); // the server has them now
      return "done";
    }
    if (response.status === 400 && answer) {
      d.status = "rejected";
      d.errors = answer.errors || { draft: [answer.detail] };
      await save(d);
      return "rejected";
    }
    if (response.status === 403 && answer) {
      d.status = "refused";
      d.errors = { draft: [answer.detail] };
      await save(d);
      return "refused";
    }
    if (!json && (response.redirected || response.status === 403)) {
      $("#sync-note").textContent = L.login; // the session lapsed, or its token did
      return "login";
    }
    if (response.status === 429) return Number(response.headers.get("Retry-After")) || 60;
    return null;
  }

  async function syncAll() {
    if (busy || !navigator.onLine) return;
    busy = true;
    let wait = 0;
    try {
      const ready = (await mine()).filter((d) => d.status === "ready");
      if (ready.length) $("#sync-note").textContent = L.syncing;
      for (const d of ready) {
        const result = await send(d);
        if (result === "done" || result === "rejected" || result === "refused") continue;
        d.attempts = (d.attempts || 0) + 1;
        await save(d);
        const backoff = Math.min(300, 2 ** Math.min(d.attempts, 8));
        wait = typeof result === "number" ? Math.max(result, backoff) : backoff;
        if (result === "login") wait = Math.max(wait, 60);
        break;
      }
    } finally {
      busy = false;
    }
    if (wait) {
      if ($("#sync-note").textContent !== L.login) $("#sync-note").textContent = fill(L.retry, { s: wait });
      syncSoon(wait);
    } else {
      $("#sync-note").textContent = "";
    }
    if (!current) await showList();
    else counts(await mine());
  }

  function syncSoon(seconds) {
    clearTimeout(timer);
    timer = setTimeout(syncAll, seconds * 1000);
  }

  function network() {
    const net = $("#net");
    net.textContent = navigator.onLine ? L.online : L.offline;
    net.className = `tag ${navigator.onLine ? "ok" : "offline"}`;
  }
  window.addEventListener("online", () => {
    network();
    syncSoon(0);
  });
  window.addEventListener("offline", network);

  // ---- the service worker keeps the page and its files for a reload with no signal --------
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker
      .register(F.worker_url, { scope: F.scope })
      .then(() => navigator.serviceWorker.ready)
      .then((registration) => {
        const files = [location.pathname];
        for (const s of document.querySelectorAll("script[src]")) files.push(s.src);
        for (const l of document.querySelectorAll("link[rel=stylesheet], link[rel=icon]")) files.push(l.href);
        registration.active.postMessage({ cache: files });
      })
      .catch(() => null);
  }

  network();
  unitChanged();
  db()
    .then(() => showList())
    .then(() => syncSoon(0))
    .catch(() => {
      $("#sync-note").textContent = L.no_storage;
    });
})();
