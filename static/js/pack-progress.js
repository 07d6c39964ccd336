/* The board pack page: polls the pack's status and shows its progress, then the download link.
   Without JavaScript the page says the same things and offers a Refresh link. The visible status follows
   every poll; the live region speaks when the state changes and at most every 15 seconds while rendering,
   so a screen reader is not flooded. */
(function () {
  "use strict";
  var box = document.getElementById("pack-status");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-status-url");
  var state = box.getAttribute("data-state");
  var text = document.getElementById("pack-status-text");
  var announce = document.getElementById("pack-announce");
  var progressWrap = document.getElementById("pack-progress-wrap");
  var progress = document.getElementById("pack-progress");
  var count = document.getElementById("pack-progress-count");
  var download = document.getElementById("pack-download");
  var link = document.getElementById("pack-download-link");
  var refresh = document.getElementById("pack-refresh");
  var again = document.getElementById("pack-again");
  var delay = 1000;
  var lastSpoken = Date.now();
  var started = Date.now();
  var GIVE_UP_AFTER = 30 * 60 * 1000;

  function active(name) { return name === "queued" || name === "rendering"; }
  function show(element, visible) { if (element) { element.hidden = !visible; } }
  function size(bytes) {
    if (!bytes) { return ""; }
    if (bytes >= 1048576) { return (bytes / 1048576).toFixed(1) + " MB"; }
    return Math.max(1, Math.round(bytes / 1024)) + " KB";
  }

  function apply(data) {
    var now = Date.now();
    text.textContent = data.text;
    if (data.state !== state || (active(data.state) && now - lastSpoken > 15000)) {
      announce.textContent = data.text;
      lastSpoken = now;
    }
    text.className = "message" + (data.state === "failed" ? " message-error" : (data.state === "done" ? " message-success" : ""));
    state = data.state;
    box.setAttribute("data-state", state);
    if (data.total > 0) {
      progress.max = data.total;
      progress.value = data.done;
      progress.textContent = data.done + " of " + data.total;
      count.textContent = data.done + " of " + data.total;
    }
    show(progressWrap, state === "rendering" && data.total > 0);
    show(refresh, active(state));
    show(again, state === "failed");
    Object.keys(data.facts || {}).forEach(function (name) {
      var fact = document.querySelector('[data-fact="' + name + '"]');
      if (fact) { fact.textContent = data.facts[name]; }
    });
    if (state === "done" && data.download_url) {
      link.href = data.download_url;
      link.textContent = "Download the board pack (PDF" + (data.page_count ? ", " + data.page_count + " pages" : "") +
        (data.size_bytes ? ", " + size(data.size_bytes) : "") + ")";
      show(download, true);
    }
  }

  function schedule() {
    if (Date.now() - started > GIVE_UP_AFTER) { return; }
    window.setTimeout(poll, delay);
  }

  function poll() {
    window.fetch(url, { credentials: "same-origin", cache: "no-store", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("status " + response.status); }
        return response.json();
      })
      .then(function (data) {
        apply(data);
        delay = Math.min(delay * 1.25, 5000);
        if (active(data.state)) { schedule(); }
      })
      .catch(function () {
        delay = Math.min(delay * 2, 15000);
        schedule();
      });
  }

  if (active(state)) { schedule(); }
})();
