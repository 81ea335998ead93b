// The counter's only script: refresh the result as the clerk types (the form works
// without it), and the print button of the quote sheet.
(function () {
  "use strict";
  var form = document.getElementById("quote-form");
  var result = document.getElementById("result");
  var printButton = document.getElementById("print-button");
  if (printButton) {
    printButton.addEventListener("click", function () { window.print(); });
  }
  if (!form || !result) { return; }
  var timer = null;
  var asked = 0;
  function refresh() {
    var query = new URLSearchParams(new FormData(form)).toString();
    var mine = ++asked;
    fetch("/quote/result?" + query, { headers: { "Accept": "text/html" } })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        if (mine !== asked) { return; }
        result.innerHTML = html;  // rendered and escaped on the server
        history.replaceState(null, "", "/quote?" + query);
        var link = document.getElementById("print-link");
        if (link) { link.href = "/quote/print?" + query; }
      })
      .catch(function () { /* the form still works: "Price it" */ });
  }
  function later() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
})();
