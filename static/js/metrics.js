/* Dashboards (metrics): ECharts charts from the JSON the page carries, print button.
   Every chart is also a table on the page, so nothing is lost without this file. */
(function () {
  "use strict";

  var FONT = '"Microsoft YaHei", "WenQuanYi Micro Hei", "PingFang SC", "Noto Sans CJK SC", sans-serif';
  var COLOURS = ["#b71c1c", "#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a"];

  function readData() {
    var node = document.getElementById("metrics-chart-data");
    return node ? JSON.parse(node.textContent) : null;
  }

  function makeChart(id, option) {
    var el = document.getElementById(id);
    if (!el || typeof echarts === "undefined") { return null; }
    var chart = echarts.init(el, null, { locale: "ZH", renderer: "canvas" });
    option.textStyle = { fontFamily: FONT };
    option.color = COLOURS;
    option.animation = false;
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
    return chart;
  }

  function lineSeries(series) {
    return series.map(function (s) { return { name: s.name, type: "line", data: s.data, smooth: false }; });
  }

  function init() {
    var data = readData();
    if (data && data.trend) {
      makeChart("chart-trend", {
        tooltip: { trigger: "axis" },
        legend: { top: 0, type: "scroll" },
        grid: { left: 50, right: 20, top: 60, bottom: 30 },
        xAxis: { type: "category", data: data.trend.labels },
        yAxis: { type: "value", name: "数量" },
        series: lineSeries(data.trend.series)
      });
    }
    if (data && data.children && data.children.labels.length) {
      makeChart("chart-children", {
        tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null ? "—" : v + "%"; } },
        legend: { top: 0 },
        grid: { left: 50, right: 20, top: 40, bottom: 60 },
        xAxis: { type: "category", data: data.children.labels, axisLabel: { interval: 0, rotate: data.children.labels.length > 6 ? 30 : 0 } },
        yAxis: { type: "value", name: "覆盖率（%）", max: 100 },
        series: data.children.series.map(function (s) { return { name: s.name, type: "bar", data: s.data }; })
      });
    }
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
    window.addEventListener("beforeprint", function () {
      document.querySelectorAll("details.pb-print-open").forEach(function (d) { d.setAttribute("open", ""); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
