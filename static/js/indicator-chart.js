/* Draws the indicator page's plotly chart from the JSON the server rendered into the page. */
(function () {
  "use strict";
  var data = document.getElementById("indicator-figure");
  var target = document.getElementById("indicator-chart");
  if (!data || !target || !window.Plotly) { return; }
  var figure = JSON.parse(data.textContent);
  window.Plotly.newPlot(target, figure.data, figure.layout, {
    responsive: true,
    displaylogo: false,
    // Plotly's "Share chart..." button uploads the figure to Plotly's cloud: no council data leaves the site.
    showSendToCloud: false,
    modeBarButtonsToRemove: ["select2d", "lasso2d"]
  }).then(function () { target.setAttribute("data-drawn", "true"); });
})();
