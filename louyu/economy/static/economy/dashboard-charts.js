/* Economy dashboard charts (ECharts, vendored). The figures come from the json_script block
   #dashboard-data (data, not code: the CSP allows it); selecting a bar opens the next level
   down. Every chart has a table beside it with the same figures, for keyboards and readers. */
(function () {
  "use strict";

  var FONT = '"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Noto Sans SC", sans-serif';
  var CHART_ROWS = 12;
  var COLORS = ["#174a7c", "#2f7ebf", "#5aa0d8", "#f5a623", "#7b5ea7", "#2e8b57", "#c0392b"];

  function base() {
    return {
      animation: false,
      color: COLORS,
      textStyle: { fontFamily: FONT },
      // Rich-text tooltips are drawn on the canvas: HTML ones carry style attributes, which
      // the CSP (style-src 'self') blocks.
      tooltip: { trigger: "item", confine: true, renderMode: "richText" },
    };
  }

  function bars(rows, axisName, horizontal) {
    var names = rows.map(function (r) { return r.name; });
    var values = rows.map(function (r) { return { value: r.value, url: r.url }; });
    var category = { type: "category", data: names, axisLabel: { interval: 0, width: 96, overflow: "truncate" } };
    // The card's heading gives the unit; a horizontal chart has no room for an axis name.
    var value = { type: "value", name: horizontal ? "" : axisName };
    var option = base();
    option.grid = { left: 8, right: 24, top: 36, bottom: 8, containLabel: true };
    option.tooltip.trigger = "axis";
    if (horizontal) {
      category.inverse = true;
      option.xAxis = value;
      option.yAxis = category;
    } else {
      category.axisLabel.rotate = names.length > 4 ? 30 : 0;
      option.xAxis = category;
      option.yAxis = value;
    }
    option.series = [{ type: "bar", data: values, cursor: "pointer" }];
    return option;
  }

  var builders = {
    // Horizontal bars keep long names readable on a phone; the table below lists every row.
    drill: function (data) { return bars(data.drill.slice(0, CHART_ROWS), data.labels.tax_wan, true); },
    ranking: function (data) { return bars(data.ranking, data.labels.tax_wan, true); },
    tiers: function (data) {
      var option = bars(data.tiers, data.labels.buildings, false);
      option.series[0].label = { show: true, position: "top" };
      return option;
    },
    trend: function (data) {
      var option = base();
      option.tooltip.trigger = "axis";
      option.legend = { top: 0 };
      option.grid = { left: 8, right: 8, top: 40, bottom: 8, containLabel: true };
      option.xAxis = { type: "category", data: data.trend.years.map(String) };
      option.yAxis = [
        { type: "value", name: data.labels.tax_yi },
        { type: "value", name: data.labels.buildings, splitLine: { show: false } },
      ];
      option.series = [
        { type: "line", name: data.labels.tax_yi, data: data.trend.tax },
        { type: "bar", name: data.labels.buildings, yAxisIndex: 1, data: data.trend.buildings, barWidth: "30%" },
      ];
      return option;
    },
    industry: function (data) {
      var option = base();
      option.series = [{
        type: "pie",
        radius: ["35%", "65%"],
        data: data.industry,
        label: { formatter: "{b}: {c}" },
      }];
      return option;
    },
  };

  function render() {
    var source = document.getElementById("dashboard-data");
    if (!source || !window.echarts) {
      return;
    }
    var data = JSON.parse(source.textContent);
    var charts = [];
    var nodes = document.querySelectorAll("[data-chart]");
    Array.prototype.forEach.call(nodes, function (node) {
      var build = builders[node.getAttribute("data-chart")];
      if (!build) {
        return;
      }
      var chart = window.echarts.init(node, null, { renderer: "canvas" });
      chart.setOption(build(data));
      chart.on("click", function (params) {
        if (params.data && params.data.url) {
          window.location.assign(params.data.url);
        }
      });
      node.setAttribute("data-rendered", "true");
      charts.push(chart);
    });
    window.addEventListener("resize", function () {
      charts.forEach(function (chart) { chart.resize(); });
    });
  }

  document.addEventListener("DOMContentLoaded", render);
})();
