// Phones: a table.fq-cards shows each row as a card; every cell is labelled with its column's
// header (fengqiao.css shows the label before the value on small screens only).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("table.fq-cards").forEach(function (table) {
    var headers = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    table.querySelectorAll("tbody > tr").forEach(function (row) {
      Array.prototype.forEach.call(row.children, function (cell, i) {
        if (cell.colSpan === 1 && !cell.hasAttribute("data-label")) {
          cell.setAttribute("data-label", headers[i] || "");
        }
      });
    });
  });
});

// A submit button marked data-fq-once is disabled once its form is sent: a double tap sends
// one request (the alarm's form also carries a one-time key the server checks).
document.addEventListener("submit", function (event) {
  var button = event.submitter;
  if (button && button.hasAttribute("data-fq-once")) {
    window.setTimeout(function () { button.disabled = true; }, 0);
  }
});
