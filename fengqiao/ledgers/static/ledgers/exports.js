// 我的导出: while an export is 排队中 or 生成中 the page asks the server every few seconds
// how those rows stand and puts each one back as the server renders it (a finished one with
// its download link); it stops asking when none is pending. Without the script the page's
// 刷新 link does the same by hand.
document.addEventListener("DOMContentLoaded", function () {
  var table = document.getElementById("exports");
  if (!table) { return; }
  var url = table.getAttribute("data-status-url");
  var EVERY_MS = 3000;

  function pendingIds() {
    return Array.prototype.map.call(
      table.querySelectorAll("tr[data-pending]"),
      function (row) { return row.getAttribute("data-export"); }
    );
  }

  function settled() {
    ["exports-refresh", "exports-pending"].forEach(function (id) {
      var node = document.getElementById(id);
      if (node) { node.remove(); }
    });
  }

  function ask() {
    var ids = pendingIds();
    if (ids.length === 0) { settled(); return; }
    fetch(url + "?ids=" + ids.join(","), {
      credentials: "same-origin",
      headers: { "Accept": "application/json" },
    })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) {
        ids.forEach(function (id) {
          var html = data.rows[id];
          var row = table.querySelector('tr[data-export="' + id + '"]');
          if (row && html) {
            var holder = document.createElement("tbody");
            holder.innerHTML = html.trim();
            row.replaceWith(holder.firstElementChild);
          } else if (row) {
            row.removeAttribute("data-pending");  // gone: nothing more to ask about it
          }
        });
        if (pendingIds().length === 0) { settled(); } else { window.setTimeout(ask, EVERY_MS); }
      })
      .catch(function () {
        // The server did not answer (a restart, the network): ask again, more slowly.
        window.setTimeout(ask, EVERY_MS * 4);
      });
  }

  if (pendingIds().length > 0) { window.setTimeout(ask, EVERY_MS); }
});
