// Review dashboards: draws each chart from the table printed beside it (same figures).
(function () {
  "use strict";
  var RED = "#c62828", GOLD = "#f2a900", BLUE = "#1565c0";
  var PALETTE = ["#c62828", "#ef6c00", "#f2a900", "#2e7d32", "#00838f", "#1565c0", "#6a1b9a",
                 "#ad1457", "#5d4037", "#546e7a", "#9e9d24", "#8d6e63"];

  function rows(name) {
    var table = document.querySelector('[data-chart-table="' + name + '"]');
    return table ? Array.prototype.slice.call(table.querySelectorAll("tbody tr[data-label-value]")) : [];
  }
  function values(list, attr) {
    return list.map(function (tr) { return parseFloat(tr.getAttribute(attr)) || 0; });
  }
  function labels(list) {
    return list.map(function (tr) { return tr.getAttribute("data-label-value"); });
  }

  function draw() {
    if (typeof Chart === "undefined") { return; }
    Chart.defaults.font.family = "system-ui, 'PingFang SC', 'Microsoft YaHei', sans-serif";
    Chart.defaults.animation = false;
    var trend = rows("trend"), canvas = document.getElementById("chart-trend");
    if (canvas && trend.length) {
      new Chart(canvas, {
        data: {
          labels: labels(trend),
          datasets: [
            { type: "bar", label: "服务时长（小时）", data: values(trend, "data-hours"),
              backgroundColor: RED, yAxisID: "y" },
            { type: "line", label: "参与党员", data: values(trend, "data-active"),
              borderColor: BLUE, backgroundColor: BLUE, yAxisID: "y1" }
          ]
        },
        options: { responsive: true, maintainAspectRatio: false,
                   scales: { y: { beginAtZero: true, position: "left" },
                             y1: { beginAtZero: true, position: "right",
                                   grid: { drawOnChartArea: false } } } }
      });
    }
    var categories = rows("categories"), pie = document.getElementById("chart-categories");
    if (pie && categories.length) {
      new Chart(pie, {
        type: "doughnut",
        data: { labels: labels(categories),
                datasets: [{ label: "服务时长（小时）", data: values(categories, "data-hours"),
                             backgroundColor: PALETTE }] },
        options: { responsive: true, maintainAspectRatio: false,
                   plugins: { legend: { position: "right" } } }
      });
    }
    var share = rows("participation"), bars = document.getElementById("chart-participation");
    if (bars && share.length) {
      bars.parentNode.classList.toggle("tall", share.length > 12);
      new Chart(bars, {
        type: "bar",
        data: { labels: labels(share),
                datasets: [{ label: "参与率（%）", data: values(share, "data-participation"),
                             backgroundColor: GOLD }] },
        options: { indexAxis: "y", responsive: true, maintainAspectRatio: false,
                   scales: { x: { beginAtZero: true, max: 100 } } }
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
