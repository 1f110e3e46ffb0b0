// Search-as-you-type for kb's pickers: text inputs marked data-suggest="<kind>" (kb/pickers.py).
// While one types, this fills the input's <datalist> with suggestions from
// /api/suggest/<kind>?q=...&limit=10 (the URL comes from this script tag's data-suggest-url).
// Without this script the same inputs still work: the server resolves slugs and names.
// Suggestions are put in as text (option.value, option.textContent), never as markup.
(function () {
  "use strict";
  var script = document.currentScript;
  var base = script && script.getAttribute("data-suggest-url");
  if (!base || !window.fetch) {
    return;
  }
  var LIMIT = 10;
  var WAIT_MS = 150;

  // The part of the value being typed: after the last comma in a multiple picker.
  function parts(input) {
    var value = input.value;
    if (input.getAttribute("data-suggest-multiple") !== "true") {
      return { head: "", term: value.trim() };
    }
    var cut = value.lastIndexOf(",");
    var head = cut < 0 ? "" : value.slice(0, cut + 1).replace(/\s*$/, " ");
    return { head: head, term: value.slice(cut + 1).trim() };
  }

  function fill(list, head, items) {
    while (list.firstChild) {
      list.removeChild(list.firstChild);
    }
    items.forEach(function (item) {
      var option = document.createElement("option");
      option.value = head + item.value;
      option.textContent = item.label;
      list.appendChild(option);
    });
  }

  function attach(input) {
    var list = input.list;
    var kind = input.getAttribute("data-suggest");
    if (!list || !kind) {
      return;
    }
    var timer = null;
    var asked = 0;
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var p = parts(input);
        if (!p.term) {
          fill(list, "", []);
          return;
        }
        var url = base.replace("KIND", encodeURIComponent(kind)) +
          "?q=" + encodeURIComponent(p.term) + "&limit=" + LIMIT;
        var narrow = document.getElementById(input.getAttribute("data-suggest-person") || "");
        if (narrow && narrow.value.trim()) {  // quotes: only those of the person named there
          url += "&person=" + encodeURIComponent(narrow.value.trim());
        }
        var ticket = ++asked;
        fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { items: [] }; })
          .then(function (data) {
            if (ticket === asked) {  // an answer to an older keystroke is dropped
              fill(list, p.head, data.items || []);
            }
          })
          .catch(function () { /* no suggestions: the field still works as typed */ });
      }, WAIT_MS);
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("input[data-suggest]"), attach);
})();
