// On a narrow screen the list's filters start folded away (templates/_macros.html
// filter_drawer); without this script they simply stay open.
(function () {
  if (!window.matchMedia || !window.matchMedia("(max-width: 50rem)").matches) return;
  document.querySelectorAll("details.filter-drawer[open]").forEach(function (d) {
    d.removeAttribute("open");
  });
})();
