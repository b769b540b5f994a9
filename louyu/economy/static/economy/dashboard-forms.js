/* Economy pages: year and 口径 selectors apply as soon as they change (the submit button stays
   for keyboards and for pages without JavaScript). Loaded from a static file: CSP. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var forms = document.querySelectorAll("form[data-autosubmit]");
    Array.prototype.forEach.call(forms, function (form) {
      form.addEventListener("change", function (event) {
        if (event.target && event.target.tagName === "SELECT") {
          form.requestSubmit ? form.requestSubmit() : form.submit();
        }
      });
    });
  });
})();
