/* Draws the indicator page's plotly chart from the JSON the server rendered into the page. */
(function () {
  "use strict";
  // Each chart's figure is a JSON block beside it: the indicator chart and the SPC (XmR) chart.
  [["indicator-figure", "indicator-chart"], ["spc-figure", "spc-chart"]].forEach(function (pair) {
    var data = document.getElementById(pair[0]);
    var target = document.getElementById(pair[1]);
    if (!data || !target || !window.Plotly) { return; }
    var figure = JSON.parse(data.textContent);
    window.Plotly.newPlot(target, figure.data, figure.layout, {
      responsive: true,
      displaylogo: false,
      // Plotly's "Share chart..." button uploads the figure to Plotly's cloud: no council data leaves the site.
      showSendToCloud: false,
      modeBarButtonsToRemove: ["select2d", "lasso2d"]
    }).then(function () { target.setAttribute("data-drawn", "true"); });
  });
})();
