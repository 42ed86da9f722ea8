// 统计分析: draws each [data-chart] from the JSON the page carries (#chart-data), with the
// vendored ECharts; a bar of the regions chart or a region's block of the hot spots opens that
// region's dashboard, a category's block the cases behind it.
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
    if (kind === "hotspots") {
      return {
        tooltip: { formatter: "{b}：{c}" },
        series: [{
          type: "treemap", data: data, nodeClick: false, roam: false,
          breadcrumb: { show: false }, width: "100%", height: "100%",
          label: { formatter: "{b}\n{c}" },
          upperLabel: { show: true, height: 22, formatter: "{b} {c}" },
          // The levels: the root (unlabelled), the regions, their categories.
          levels: [
            { upperLabel: { show: false } },
            { itemStyle: { borderColor: "#fff", borderWidth: 2, gapWidth: 2 } },
            { colorSaturation: [0.3, 0.6], itemStyle: { borderColorSaturation: 0.7, gapWidth: 1 } },
          ],
        }],
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
      if (kind === "hotspots") {
        chart.on("click", function (params) {
          if (params.data && params.data.url) window.location.assign(params.data.url);
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
