/* unefois — measurement of journeys (first-party, no third party, nothing typed is sent).
   Records « field focused », « field changed » and « field in error » on the form marked
   data-journey, with the name of the field only. Not loaded when the person declined.

   Events are numbered by the server in the order it receives them, so the script keeps them in
   order: it sends one batch at a time, and the events still waiting when the form is sent
   travel with the form itself (hidden field « _parcours »). Each event carries how many
   milliseconds ago it happened; the server stamps it with its own clock minus that delay. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-journey]");
  if (!form || !window.FormData || !window.JSON) { return; }
  var url = form.getAttribute("data-journey-url");
  var token = form.getAttribute("data-journey");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]");
  var queue = [];
  var sending = false;
  var timer = null;
  var focused = null;

  function fieldOf(el) {
    if (!el || !el.name || el.name === "csrfmiddlewaretoken" || el.name === "_parcours" ||
        el.type === "hidden" || el.type === "submit") { return ""; }
    return el.getAttribute("data-journey-field") || el.name;
  }

  function pending() {
    var now = Date.now();
    var batch = queue.map(function (e) { return [e[0], e[1], e[2], Math.max(0, now - e[3])]; });
    queue = [];
    return JSON.stringify(batch);
  }

  function flush(leaving) {
    timer = null;
    if (!queue.length || (sending && !leaving)) { return; }
    var data = new FormData();
    data.append("csrfmiddlewaretoken", csrf ? csrf.value : "");
    data.append("jeton", token);
    data.append("evenements", pending());
    if (leaving && navigator.sendBeacon && navigator.sendBeacon(url, data)) { return; }
    if (!window.fetch) { return; }
    sending = true;
    window.fetch(url, { method: "POST", body: data, credentials: "same-origin", keepalive: true })
      .catch(function () { /* a lost measurement is never the person's problem */ })
      .then(function () {
        sending = false;
        if (queue.length && !timer) { timer = window.setTimeout(flush, 300); }
      });
  }

  function push(activity, field, code) {
    queue.push([activity, field, code || "", Date.now()]);
    if (queue.length >= 50) { flush(false); }
    if (!timer) { timer = window.setTimeout(flush, 1000); }
  }

  function codeOf(el) {
    var validity = el.validity;
    if (validity.valueMissing) { return "required"; }
    if (validity.badInput) { return el.type === "date" ? "date_invalid" : "number_invalid"; }
    if (validity.rangeOverflow || validity.rangeUnderflow) { return "hours_out_of_range"; }
    return el.getAttribute("data-journey-code") || "format";
  }

  form.addEventListener("focusin", function (e) {
    var field = fieldOf(e.target);
    if (field && field !== focused) {
      focused = field;
      push("field_focused", field);
    }
  });
  form.addEventListener("focusout", function (e) {
    // moving within one field (the days of a week) is not a new visit of that field
    if (fieldOf(e.relatedTarget) !== focused) { focused = null; }
  });
  form.addEventListener("change", function (e) {
    var field = fieldOf(e.target);
    if (!field) { return; }
    push("field_changed", field);
    if (e.target.validity && !e.target.validity.valid && e.target.value !== "") {
      push("field_error", field, codeOf(e.target));
    }
  });
  form.addEventListener("submit", function () {
    if (!queue.length) { return; }
    var carried = document.createElement("input");
    carried.type = "hidden";
    carried.name = "_parcours";
    carried.value = pending();
    form.appendChild(carried);
  });
  window.addEventListener("pagehide", function () { flush(true); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { flush(true); }
  });
})();
