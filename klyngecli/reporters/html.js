"use strict";
// Sorting and filtering of the summary table. The page reads and prints the same without it:
// the controls are made (buttons) or shown (the filter) only here.
(function () {
  var table = document.getElementById("files");
  if (!table) return;
  var body = table.tBodies[0];
  var collator = new Intl.Collator(document.documentElement.lang, { numeric: true });

  function key(row, index) {
    var cell = row.cells[index];
    return cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent;
  }

  function sortBy(th) {
    var index = th.cellIndex;
    var numeric = th.hasAttribute("data-numeric");
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a, index), y = key(b, index);
      if (x === "" || y === "") return (x === "") - (y === "");  // missing values last
      var order = numeric ? Number(x) - Number(y) : collator.compare(x, y);
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (other) {
      other.removeAttribute("aria-sort");
    });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }

  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
    var button = document.createElement("button");
    button.type = "button";
    while (th.firstChild) button.appendChild(th.firstChild);
    th.appendChild(button);
    button.addEventListener("click", function () { sortBy(th); });
  });

  var select = document.getElementById("code-filter");
  var status = document.getElementById("filter-status");
  if (!select) return;
  select.addEventListener("change", function () {
    var code = select.value;
    var shown = 0;
    Array.prototype.forEach.call(document.querySelectorAll("[data-codes]"), function (element) {
      var match = code === "" || element.getAttribute("data-codes").split(" ").indexOf(code) >= 0;
      element.hidden = !match;
      if (match && element.tagName === "TR") shown += 1;
    });
    status.textContent = status.getAttribute("data-template")
      .replace("{n}", shown).replace("{total}", body.rows.length);
  });
  select.parentElement.hidden = false;
})();
