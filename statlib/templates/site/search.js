/* Offline search over indicator names, codes and aliases (no network, no external script).
   The index is window.STATLIB_SEARCH, set by search-index.js; results are built as text nodes. */
(function () {
  "use strict";
  var input = document.getElementById("q");
  var list = document.getElementById("results");
  var count = document.getElementById("count");
  var index = window.STATLIB_SEARCH || [];
  if (!input || !list) { return; }

  function norm(text) {
    return String(text).toLowerCase().replace(/[\s\u3000（）()·,，]/g, "");
  }

  function score(entry, q) {
    var keys = [entry.n, entry.c].concat(entry.a || []);
    var best = 0;
    for (var i = 0; i < keys.length; i += 1) {
      var k = norm(keys[i]);
      if (k === q) { best = Math.max(best, 3); }
      else if (k.indexOf(q) === 0) { best = Math.max(best, 2); }
      else if (k.indexOf(q) >= 0) { best = Math.max(best, 1); }
    }
    return best;
  }

  function search(text) {
    var q = norm(text);
    if (!q) { return []; }
    var hits = [];
    for (var i = 0; i < index.length; i += 1) {
      var s = score(index[i], q);
      if (s > 0) { hits.push({ s: s, i: i, e: index[i] }); }
    }
    hits.sort(function (a, b) { return b.s - a.s || a.i - b.i; });
    return hits.map(function (h) { return h.e; });
  }

  function render(entries) {
    while (list.firstChild) { list.removeChild(list.firstChild); }
    entries.slice(0, 50).forEach(function (e) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.setAttribute("href", e.h);
      a.textContent = e.n;
      li.appendChild(a);
      var meta = document.createElement("span");
      meta.className = "meta";
      meta.textContent = " " + e.c + (e.u ? "（" + e.u + "）" : "");
      li.appendChild(meta);
      list.appendChild(li);
    });
    if (count) {
      count.textContent = input.value ? "找到 " + entries.length + " 个指标" : "";
    }
  }

  input.addEventListener("input", function () { render(search(input.value)); });
  window.statlibSearch = search;
  if (input.value) { render(search(input.value)); }
}());
