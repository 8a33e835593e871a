/* Behaviour the pages used to write inline (the Content-Security-Policy allows no inline script):
 *   form[data-confirm]         asks before submitting;
 *   button[data-confirm]       asks before its click goes on (Flask-Admin's delete buttons);
 *   select[data-autosubmit]    submits its form when changed;
 *   a[data-model-action]       runs a Flask-Admin list action ("Com os selecionados");
 *   a[href^="javascript:"]     Flask-Admin's placeholder links: nothing to follow (the CSP would refuse it);
 *   input[data-moment-input]   a datetime-local picker: its moment read back in pt-BR in [data-moment-preview]. */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute && form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  }, true);
  document.addEventListener("click", function (event) {
    if (!event.target.closest) { return; }
    var placeholder = event.target.closest('a[href^="javascript:"]');
    if (placeholder) { event.preventDefault(); }
    var target = event.target.closest("button[data-confirm], a[data-model-action]");
    if (!target) { return; }
    if (target.hasAttribute("data-model-action")) {
      event.preventDefault();
      if (window.modelActions) { window.modelActions.execute(target.getAttribute("data-model-action")); }
      return;
    }
    if (!window.confirm(target.getAttribute("data-confirm"))) { event.preventDefault(); event.stopPropagation(); }
  }, true);
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.hasAttribute && select.hasAttribute("data-autosubmit") && select.form) { select.form.submit(); }
  });
  var preview = function (input) {
    var hint = input.parentNode.querySelector("[data-moment-preview]");
    if (!hint) { return; }
    var m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(input.value || "");
    hint.textContent = m ? "Envio em " + m[3] + "/" + m[2] + "/" + m[1] + " às " + m[4] + ":" + m[5] + "." : "";
  };
  var moments = document.querySelectorAll("input[data-moment-input]");
  for (var i = 0; i < moments.length; i++) {
    preview(moments[i]);
    moments[i].addEventListener("input", function (event) { preview(event.target); });
  }
})();
