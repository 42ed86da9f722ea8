// 统计分析: draws each [data-chart] from the JSON the page carries (#chart-data), with the
// vendored ECharts; a bar of the regions chart opens that region's dashboard.
(function () {
  "use strict";

  function options(kind, data) {
    var tooltip = { trigger: kind === "trend" ? "axis" : "item" };
    if (kind === "trend") {
      return {
        tooltip: tooltip,
        legend: { data: data.names },
        grid: { left: 40, right: 16, top: 30, bottom: 30 },
        xAxis: { type: "category", data: data.labels },
        yAxis: { type: "value", minInterval: 1 },
        series: [
          { name: data.names[0], type: "line", data: data.intake },
          { name: data.names[1], type: "line", data: data.resolved },
        ],
      };
    }
    if (kind === "pipeline") {
      return {
        tooltip: tooltip,
        series: [{
          type: "funnel", sort: "none", left: 10, right: 10, minSize: "8%", data: data,
          label: { position: "inside", formatter: "{b} {c}", color: "#fff" },
        }],
      };
    }
    if (kind === "regions" || kind === "channel" || kind === "grade") {
      return {
        tooltip: tooltip,
        grid: { left: 8, right: 16, top: 10, bottom: 20, containLabel: true },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", inverse: true, data: data.map(function (d) { return d.name; }) },
        series: [{ type: "bar", data: data.map(function (d) { return d.value; }) }],
      };
    }
    return {
      tooltip: tooltip,
      series: [{ type: "pie", radius: ["35%", "70%"], data: data, label: { formatter: "{b} {d}%" } }],
    };
  }

  function draw() {
    var source = document.getElementById("chart-data");
    if (!source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var kind = el.getAttribute("data-chart");
      var chart = window.echarts.init(el, null, { renderer: "svg" });
      chart.setOption(options(kind, data[kind]));
      if (kind === "regions") {
        chart.on("click", function (params) {
          var row = data.regions[params.dataIndex];
          if (row && row.url) window.location.assign(row.url);
        });
      }
      window.addEventListener("resize", function () { chart.resize(); });
      window.addEventListener("beforeprint", function () { chart.resize(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    draw();
    var print = document.getElementById("print-dashboard");
    if (print) print.addEventListener("click", function () { window.print(); });
  });
})();
