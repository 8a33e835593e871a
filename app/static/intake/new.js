/* "Cadastrar Campanha": show only the chosen operation's campaigns; show the chosen file's name. */
(function () {
  "use strict";
  var op = document.getElementById("operation"), type = document.getElementById("campaign_type");
  if (op && type) {
    var filter = function () {
      for (var i = 0; i < type.options.length; i++) {
        var o = type.options[i], own = !o.dataset.operation || o.dataset.operation === op.value;
        o.hidden = !own; o.disabled = !own;
        if (!own && o.selected) { type.value = ""; }
      }
    };
    op.addEventListener("change", filter);
    filter();
  }
  var file = document.getElementById("file");
  if (file) {
    file.addEventListener("change", function () {
      var label = file.nextElementSibling;
      label.textContent = file.files.length ? file.files[0].name : "Escolha o arquivo…";
    });
  }
})();
