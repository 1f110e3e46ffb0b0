// /agreement with scripts on (the page works without them): the hovered or focused cell lights
// its row's and its column's names, and its counts say whose pair it is.
(function () {
  "use strict";
  var table = document.querySelector("table.heat");
  if (!table || !table.tHead) return;
  var heads = table.tHead.rows[0].cells;
  var lit = [];
  function clear() {
    lit.forEach(function (el) { el.classList.remove("lit"); });
    lit = [];
  }
  function light(event) {
    var td = event.target.closest && event.target.closest("td");
    if (!td || !table.contains(td)) return;
    clear();
    var rowHead = td.parentNode.cells[0], colHead = heads[td.cellIndex];
    if (!rowHead || !colHead) return;
    lit = [rowHead, colHead];
    lit.forEach(function (el) { el.classList.add("lit"); });
    var counts = td.querySelector("i");
    if (counts && !counts.dataset.pair) {
      counts.dataset.pair = rowHead.textContent.trim() + " and " + colHead.title;
    }
  }
  table.addEventListener("mouseover", light);
  table.addEventListener("focusin", light);
  table.addEventListener("mouseleave", clear);
})();
