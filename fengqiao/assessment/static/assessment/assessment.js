// 考核排名: the print button.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var print = document.getElementById("print-ranking");
    if (print) print.addEventListener("click", function () { window.print(); });
  });
})();
