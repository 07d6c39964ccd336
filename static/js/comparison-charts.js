/* Draws the comparison page's plotly charts from the JSON the server rendered into the page.
   Each <script type="application/json" data-chart="ID"> holds one figure for the element with that id. */
(function () {
  "use strict";
  if (!window.Plotly) { return; }
  var blocks = document.querySelectorAll('script[type="application/json"][data-chart]');
  Array.prototype.forEach.call(blocks, function (data) {
    var target = document.getElementById(data.getAttribute("data-chart"));
    if (!target) { return; }
    var figure = JSON.parse(data.textContent);
    window.Plotly.newPlot(target, figure.data, figure.layout, {
      responsive: true,
      displaylogo: false,
      showSendToCloud: false,
      modeBarButtonsToRemove: ["select2d", "lasso2d", "zoom2d", "pan2d", "zoomIn2d", "zoomOut2d", "autoScale2d"]
    }).then(function () { target.setAttribute("data-drawn", "true"); });
  });
})();
